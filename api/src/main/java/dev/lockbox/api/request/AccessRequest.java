package dev.lockbox.api.request;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * An access request as the server returns it (DESIGN.md, "Access requests"). {@code history}
 * is filled by {@code GET /api/requests/{id}} and may be empty in listings.
 */
public record AccessRequest(
        String id,
        String supportTicketId,
        String environment,
        String requester,
        String justification,
        AccessLevel accessLevel,
        List<String> scope,
        Duration accessPeriod,
        Instant createdAt,
        Instant requestExpiresAt,
        RequestStatus status,
        String decidedBy,
        Instant decidedAt,
        Instant accessStartsAt,
        Instant accessExpiresAt,
        List<RequestHistoryEntry> history) {}

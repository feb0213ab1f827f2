package dev.lockbox.server.audit;

import dev.lockbox.api.request.RequestStatus;
import java.time.Instant;

/**
 * What the audit log needs to know about the grant an event claims to belong to; taken from the
 * request store, never from the client. {@code recordParameters} is the environment's setting
 * for keeping bound values.
 */
public record GrantRecord(
        String requestId,
        String environment,
        String engineer,
        String supportTicketId,
        RequestStatus status,
        Instant accessStartsAt,
        Instant accessExpiresAt,
        boolean recordParameters) {}

package dev.lockbox.api.audit;

import java.time.Instant;
import java.util.List;

/**
 * What the driver sends for one statement attempt, before it runs. Identity (engineer, request,
 * ticket) is not here: the server takes it from the caller's grant ({@code requestId} names the
 * grant the driver connected under and must be the caller's own). For a DENIED statement the
 * driver sends {@code decision = DENIED} and the event is final; for ALLOWED it sends an
 * {@link AuditOutcome} later. {@code parameters} is a JSON array text or null.
 */
public record AuditEventSubmission(
        String eventId,
        Instant eventTime,
        String requestId,
        String database,
        String dbUser,
        String sessionId,
        String clientHost,
        String applicationName,
        String action,
        ActionClass actionClass,
        List<String> objects,
        String statement,
        String parameters,
        Decision decision,
        String denyReason) {}

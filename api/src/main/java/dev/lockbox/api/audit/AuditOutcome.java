package dev.lockbox.api.audit;

/** What happened to an ALLOWED statement once the database answered. */
public record AuditOutcome(
        String eventId,
        boolean succeeded,
        Long rowsAffected,
        String error,
        double durationMs) {}

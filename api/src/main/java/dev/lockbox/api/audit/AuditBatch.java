package dev.lockbox.api.audit;

import java.util.List;

/**
 * Body of {@code POST /api/audit/events}: new events and outcomes of earlier ones, for one
 * environment. Idempotent on {@code eventId}. A 2xx means every event and outcome in it is durable.
 */
public record AuditBatch(String environment, List<AuditEventSubmission> events, List<AuditOutcome> outcomes) {
    /**
     * The largest batch, as JSON, the server takes (the limit of every request body, and of an audit
     * channel frame): a driver sends a larger one in parts.
     */
    public static final int MAX_BYTES = 1024 * 1024;
}

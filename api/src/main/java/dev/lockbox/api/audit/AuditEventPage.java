package dev.lockbox.api.audit;

import java.util.List;

/**
 * Answer of {@code GET /api/audit/events?environment=&afterSequence=&limit=}: sealed events in
 * sequence order, and the {@code afterSequence} to ask for next (the last sequence returned, or
 * the one asked for when the page is empty).
 */
public record AuditEventPage(String environment, List<AuditEvent> events, long nextAfterSequence) {
    /**
     * Response header of {@code GET /api/requests/{id}/audit?afterSequence=&limit=} (a JSON array of
     * events): present when the page is full, holding the {@code afterSequence} of the next page.
     */
    public static final String NEXT_AFTER_SEQUENCE_HEADER = "Lockbox-Next-After-Sequence";
}

package dev.lockbox.driver.statement;

import dev.lockbox.api.audit.EventIds;
import dev.lockbox.driver.classify.Classification;

/**
 * One SQL text about to be executed: one audit event. {@code parameters} is the JSON array of bound
 * values (prepared statements) or null; {@code classification} is null until the classify step ran.
 */
public record AuditedSql(String eventId, String sql, String parameters, Classification classification) {

    public static AuditedSql of(String sql, String parameters, Classification classification) {
        return new AuditedSql(newEventId(), sql, parameters, classification);
    }

    AuditedSql classified(Classification c) {
        return new AuditedSql(eventId, sql, parameters, c);
    }

    /** A time-ordered UUIDv7 (see {@link EventIds}). */
    static String newEventId() {
        return EventIds.next();
    }
}

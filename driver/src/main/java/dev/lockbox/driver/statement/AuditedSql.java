package dev.lockbox.driver.statement;

import dev.lockbox.driver.classify.Classification;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

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

    /**
     * A random (version 4) UUID from ThreadLocalRandom: event ids are dedupe keys, not secrets, and
     * UUID.randomUUID() would put every statement of the JVM through one SecureRandom.
     */
    static String newEventId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long msb = (r.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (r.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48);
        return new UUID(msb, lsb).toString();
    }
}

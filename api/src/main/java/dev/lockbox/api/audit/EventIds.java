package dev.lockbox.api.audit;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Audit event ids, minted by the driver for statements and by the server for session events:
 * time-ordered UUIDv7 (RFC 9562): 48-bit Unix epoch milliseconds, version 7,
 * 12 random bits, the RFC variant, 62 random bits. Time order keeps the server's unique index on
 * {@code event_id} and the exported Parquet lake compact (inserts land at the end of the index).
 * ThreadLocalRandom is enough: ids are dedupe keys, not secrets, and UUID.randomUUID() would put
 * every statement of the JVM through one SecureRandom.
 */
public final class EventIds {
    private EventIds() {
    }

    /** A new UUIDv7 for the current wall-clock millisecond. */
    public static String next() {
        return at(System.currentTimeMillis()).toString();
    }

    /** A UUIDv7 for {@code epochMillis} with fresh random bits. */
    public static UUID at(long epochMillis) {
        return at(epochMillis, ThreadLocalRandom.current());
    }

    /** A UUIDv7 for {@code epochMillis} with random bits from {@code r} (a seeded one gives repeatable ids). */
    public static UUID at(long epochMillis, RandomGenerator r) {
        long msb = (epochMillis & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000L | (r.nextLong() & 0x0FFFL);
        long lsb = (r.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb);
    }
}

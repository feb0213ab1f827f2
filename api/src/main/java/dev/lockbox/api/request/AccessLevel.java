package dev.lockbox.api.request;

/** What a grant lets the engineer do. */
public enum AccessLevel {
    /** Only statements proven read-only by the driver's classifier. */
    READ_ONLY,
    /** Reads and writes (still audited, still scoped). */
    READ_WRITE
}

package dev.lockbox.exporter.feed;

/** The audit feed could not be read, or answered something that breaks its contract. */
public class AuditFeedException extends RuntimeException {
    public AuditFeedException(String message) {
        super(message);
    }

    public AuditFeedException(String message, Throwable cause) {
        super(message, cause);
    }
}

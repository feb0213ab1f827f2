package dev.lockbox.server.audit;

/** The audit store could not do its work (database down, persistent contention); an HTTP 500, never a refusal. */
public class AuditStoreException extends RuntimeException {
    public AuditStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.lockbox.api.audit;

/**
 * First frame a driver sends on the audit channel (docs/audit-log.md, "The audit channel"): the
 * API token it would otherwise send as {@code Authorization: Bearer <token>} on every audit POST.
 */
public record AuditChannelHello(String token) {
    /** Keeps the token out of logs and exception messages. */
    @Override
    public String toString() {
        return "AuditChannelHello[token=***]";
    }
}

package dev.lockbox.api.grant;

/**
 * Answer (201) of {@code POST /api/sessions}: the active grant and the target connection issued for
 * it, and the port of the server's audit channel on the same host when the server runs one (else
 * null): a driver that reaches the server over plain HTTP may send its audit batches there instead
 * of {@code POST /api/audit/events} (docs/audit-log.md, "The audit channel").
 */
public record SessionGrant(String sessionId, ActiveGrant grant, TargetConnection target, Integer auditChannelPort) {
    /** A grant from a server without an audit channel (drivers then send audit events over HTTP only). */
    public SessionGrant(String sessionId, ActiveGrant grant, TargetConnection target) {
        this(sessionId, grant, target, null);
    }
}

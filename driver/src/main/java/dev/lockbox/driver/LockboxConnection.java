package dev.lockbox.driver;

import dev.lockbox.api.grant.ActiveGrant;
import java.sql.Connection;

/**
 * A connection through Lockbox; {@code connection.unwrap(LockboxConnection.class)} works, unwrapping
 * to the vendor's connection does not (it would bypass the grant and the audit).
 */
public interface LockboxConnection extends Connection {
    /** The grant this connection runs under (level, scope, window). */
    ActiveGrant grant();

    /** The session id the server knows this connection by (audit events carry it). */
    String sessionId();

    /** Why the session ended (grant expired or revoked), or null while it lasts. */
    String endedReason();

    /**
     * Audit events of this connection's audit sink (shared by the JVM's connections with the same
     * settings) that the server has not acknowledged yet: how far {@code audit=async} is behind.
     */
    int auditBacklog();
}

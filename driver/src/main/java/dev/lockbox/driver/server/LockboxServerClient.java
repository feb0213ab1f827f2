package dev.lockbox.driver.server;

import dev.lockbox.api.audit.AuditAck;
import dev.lockbox.api.audit.AuditBatch;
import dev.lockbox.api.grant.GrantStatus;
import dev.lockbox.api.grant.SessionGrant;
import dev.lockbox.api.grant.SessionOpen;
import java.sql.SQLException;

/**
 * The calls the driver makes to the approval server (docs/architecture.md, "HTTP contract").
 * Implementations map every failure to an SQLException whose SQLState says what the driver must do:
 * {@code 28000} the server refused (no grant, bad token), {@code 08001} connecting failed,
 * {@code 08006} the server is unreachable or answered something unexpected after connect.
 * Thread-safe: one client is shared by the connections, audit sinks and grant watches of one
 * (server, user, token).
 */
public interface LockboxServerClient {

    /** {@code POST /api/sessions}: the active grant and target connection, or 28000 / 08001. */
    SessionGrant openSession(SessionOpen open) throws SQLException;

    /** {@code DELETE /api/sessions/{id}}: the server records DISCONNECT. */
    void closeSession(String sessionId) throws SQLException;

    /** {@code GET /api/grants/{requestId}/status}; 28000 when the server no longer knows the grant for this caller. */
    GrantStatus grantStatus(String requestId) throws SQLException;

    /** {@code POST /api/audit/events}: returns once every event and outcome in the batch is durable. */
    AuditAck submitAudit(AuditBatch batch) throws SQLException;
}

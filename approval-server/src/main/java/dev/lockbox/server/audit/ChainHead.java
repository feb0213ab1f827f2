package dev.lockbox.server.audit;

import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.audit.AuditHashChain;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The end of one environment's hash chain, held under a row lock on {@code audit_chain_head}
 * ({@link RowLocking}) until the sealing transaction ends. The lock lives in the database, so
 * several server processes on one database extend a chain one at a time, and sequences are
 * committed in order: a reader never sees sequence n+1 before n.
 *
 * <p>It also keeps each request's span of the chain ({@code audit_request_span}: the first and last
 * sequence of the request's events), which is how a request's events are found
 * ({@link AuditEventRows#forRequest}) without an index entry per event: the span row changes once
 * per request and sealing transaction, under the same lock.
 */
final class ChainHead {
    private final String environment;
    private long lastSequence;
    private String lastHash;
    private final long firstLockedSequence;
    /** Requests whose events this transaction appended: the first and last sequence of each, in this transaction. */
    private final Map<String, long[]> appendedOfRequest = new LinkedHashMap<>();

    private ChainHead(String environment, long lastSequence, String lastHash) {
        this.environment = environment;
        this.lastSequence = lastSequence;
        this.lastHash = lastHash;
        this.firstLockedSequence = lastSequence;
    }

    /**
     * Locks the environment's chain head for the rest of {@code c}'s transaction ({@code locking}: the
     * database's way, {@link RowLocking#of}), creating it at GENESIS if new.
     */
    static ChainHead lock(Connection c, String environment, RowLocking locking) throws SQLException {
        ChainHead head = select(c, environment, locking);
        if (head != null) return head;
        // First event of this environment. Two replicas may race to create the row: the loser's
        // insert fails on the primary key (inside a savepoint, so PostgreSQL keeps the transaction
        // usable) and it then locks the winner's row.
        Savepoint sp = c.setSavepoint();
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO audit_chain_head (environment, last_sequence, last_hash) VALUES (?, 0, ?)")) {
            ps.setString(1, environment);
            ps.setString(2, AuditHashChain.GENESIS);
            ps.executeUpdate();
            c.releaseSavepoint(sp);
        } catch (SQLException e) {
            if (!"23505".equals(e.getSQLState())) throw e;
            c.rollback(sp);
        }
        head = select(c, environment, locking);
        if (head == null) {
            // The winner has not committed yet and our snapshot cannot see its row: retry the transaction.
            throw new SQLException("audit chain head of " + environment + " is being created", "40001");
        }
        return head;
    }

    /** The locked head, or null when the environment has none yet. */
    private static ChainHead select(Connection c, String environment, RowLocking locking) throws SQLException {
        String read = "SELECT last_sequence, last_hash FROM audit_chain_head WHERE environment = ?";
        if (locking == RowLocking.UPDATE_FIRST) {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE audit_chain_head SET last_sequence = last_sequence WHERE environment = ?")) {
                ps.setString(1, environment);
                if (ps.executeUpdate() == 0) return null;
            }
        } else {
            read += " FOR UPDATE";
        }
        try (PreparedStatement ps = c.prepareStatement(read)) {
            ps.setString(1, environment);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new ChainHead(environment, rs.getLong(1), rs.getString(2)) : null;
            }
        }
    }

    /** {@code e} (with its final outcome columns) as the next link of the chain. */
    AuditEvent append(AuditEvent e) {
        return append(e, AuditHashChain.afterSequence(e));
    }

    /**
     * As {@link #append(AuditEvent)}, with {@code e}'s canonical form after the sequence
     * ({@link AuditHashChain#afterSequence}) built beforehand, outside the chain lock.
     */
    AuditEvent append(AuditEvent e, byte[] afterSequence) {
        if (!environment.equals(e.environment())) {
            throw new IllegalArgumentException("event of " + e.environment() + " on the chain of " + environment);
        }
        long sequence = lastSequence + 1;
        String hash = AuditHashChain.hash(lastHash, sequence, afterSequence);
        AuditEvent sealed = e.sealed(sequence, lastHash, hash);
        lastSequence = sequence;
        lastHash = hash;
        if (e.requestId() != null) appendedOfRequest.computeIfAbsent(e.requestId(), r -> new long[] {sequence, sequence})[1] = sequence;
        return sealed;
    }

    /**
     * Writes the new end of the chain and the spans of the requests appended to it; part of the same
     * transaction as the sealed rows.
     */
    void save(Connection c) throws SQLException {
        if (lastSequence == firstLockedSequence) return;
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE audit_chain_head SET last_sequence = ?, last_hash = ? WHERE environment = ?")) {
            ps.setLong(1, lastSequence);
            ps.setString(2, lastHash);
            ps.setString(3, environment);
            if (ps.executeUpdate() != 1) throw new SQLException("audit chain head of " + environment + " vanished");
        }
        saveSpans(c);
    }

    /**
     * Extends each appended request's span to its last sequence, or starts it. No upsert syntax is
     * portable between H2 and PostgreSQL; none is needed: a request's events are all of one
     * environment, so only the holder of this chain's lock writes its span rows. A span starts at the
     * request's first sealed event, the first {@code UPDATE} to find no row.
     */
    private void saveSpans(Connection c) throws SQLException {
        if (appendedOfRequest.isEmpty()) return;
        Map<String, long[]> starts = null;
        try (PreparedStatement ps = c.prepareStatement("UPDATE audit_request_span SET last_sequence = ?"
                + " WHERE request_id = ? AND environment = ?")) {
            for (Map.Entry<String, long[]> r : appendedOfRequest.entrySet()) {
                ps.setLong(1, r.getValue()[1]);
                ps.setString(2, r.getKey());
                ps.setString(3, environment);
                if (ps.executeUpdate() == 0) {
                    if (starts == null) starts = new LinkedHashMap<>();
                    starts.put(r.getKey(), r.getValue());
                }
            }
        }
        if (starts == null) return;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_request_span"
                + " (request_id, environment, first_sequence, last_sequence) VALUES (?, ?, ?, ?)")) {
            for (Map.Entry<String, long[]> r : starts.entrySet()) {
                ps.setString(1, r.getKey());
                ps.setString(2, environment);
                ps.setLong(3, r.getValue()[0]);
                ps.setLong(4, r.getValue()[1]);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}

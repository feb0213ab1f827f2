package dev.lockbox.server.broker;

import dev.lockbox.server.broker.IssuedCredential.State;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The broker's record of the users it made ({@code broker_credential}, migration V200), in the
 * server's store. Each call is one auto-committed statement.
 */
final class CredentialLedger {
    private static final String COLUMNS = "request_id, environment, db_user, jdbc_url, password, state, created_at, revoked_at";
    private static final String UNIQUE_VIOLATION = "23505";

    private final DataSource ds;

    CredentialLedger(DataSource ds) {
        this.ds = ds;
    }

    Optional<IssuedCredential> find(String requestId) {
        List<IssuedCredential> rows = query("SELECT " + COLUMNS + " FROM broker_credential WHERE request_id = ?", requestId);
        return rows.stream().findFirst();
    }

    /** Rows not yet revoked (CREATING or ISSUED). */
    List<IssuedCredential> unrevoked() {
        return query("SELECT " + COLUMNS + " FROM broker_credential WHERE state <> ? ORDER BY created_at", State.REVOKED.name());
    }

    boolean knowsUser(GrantUserName user) {
        return !query("SELECT " + COLUMNS + " FROM broker_credential WHERE db_user = ? AND state <> ?",
                user.value(), State.REVOKED.name()).isEmpty();
    }

    /** Inserts a CREATING row; false when a row for that request (or user) already exists. */
    boolean insertCreating(IssuedCredential c) {
        try (Connection con = ds.getConnection();
             PreparedStatement ps = con.prepareStatement("INSERT INTO broker_credential (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, NULL)")) {
            ps.setString(1, c.requestId());
            ps.setString(2, c.environment());
            ps.setString(3, c.dbUser().value());
            ps.setString(4, c.jdbcUrl());
            ps.setString(5, c.password());
            ps.setString(6, State.CREATING.name());
            ps.setObject(7, toDb(c.createdAt()));
            ps.executeUpdate();
            return true;
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) return false;
            throw failure("record credentials of request " + c.requestId(), e);
        }
    }

    /**
     * Takes over a CREATING row left by a crashed issuer: only one caller wins (the row's
     * created_at must still be what the caller saw).
     */
    boolean claimStale(IssuedCredential stale, Instant now) {
        return update("UPDATE broker_credential SET created_at = ? WHERE request_id = ? AND state = ? AND created_at = ?",
                toDb(now), stale.requestId(), State.CREATING.name(), toDb(stale.createdAt())) == 1;
    }

    void markIssued(String requestId) {
        update("UPDATE broker_credential SET state = ? WHERE request_id = ? AND state = ?",
                State.ISSUED.name(), requestId, State.CREATING.name());
    }

    /** The user is gone: forget its password for good. */
    void markRevoked(String requestId, Instant at) {
        update("UPDATE broker_credential SET state = ?, password = NULL, revoked_at = ? WHERE request_id = ? AND state <> ?",
                State.REVOKED.name(), toDb(at), requestId, State.REVOKED.name());
    }

    /** Removes the row of an issue that failed before its user existed. */
    void delete(String requestId) {
        update("DELETE FROM broker_credential WHERE request_id = ? AND state = ?", requestId, State.CREATING.name());
    }

    private List<IssuedCredential> query(String sql, Object... args) {
        try (Connection con = ds.getConnection(); PreparedStatement ps = con.prepareStatement(sql)) {
            bind(ps, args);
            List<IssuedCredential> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new IssuedCredential(rs.getString("request_id"), rs.getString("environment"),
                            new GrantUserName(rs.getString("db_user")), rs.getString("jdbc_url"), rs.getString("password"),
                            State.valueOf(rs.getString("state")), instant(rs, "created_at"), instant(rs, "revoked_at")));
                }
            }
            return out;
        } catch (SQLException e) {
            throw failure("read broker credentials", e);
        }
    }

    private int update(String sql, Object... args) {
        try (Connection con = ds.getConnection(); PreparedStatement ps = con.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw failure("update broker credentials", e);
        }
    }

    private static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
    }

    private static BrokerException failure(String what, SQLException e) {
        return new BrokerException("could not " + what + " in the store: " + e.getMessage(), e);
    }

    private static OffsetDateTime toDb(Instant t) {
        return t.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Object v = rs.getObject(column);
        if (v == null) return null;
        if (v instanceof OffsetDateTime odt) return odt.toInstant();
        if (v instanceof Timestamp ts) return ts.toInstant();
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }
}

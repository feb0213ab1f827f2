package dev.lockbox.server.session;

import dev.lockbox.server.store.Store;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The driver_sessions table: which driver connections are open under which grant. */
public final class SessionStore {
    private static final String SELECT = "SELECT session_id, request_id, environment, engineer, database_name, db_user, client_host, application_name, opened_at, closed_at FROM driver_sessions";

    public boolean insert(Connection c, DriverSession s) throws SQLException {
        if (find(c, s.sessionId()).isPresent()) return false;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO driver_sessions (session_id, request_id, environment, engineer, database_name, db_user, client_host, application_name, opened_at) VALUES (?,?,?,?,?,?,?,?,?)")) {
            ps.setString(1, s.sessionId());
            ps.setString(2, s.requestId());
            ps.setString(3, s.environment());
            ps.setString(4, s.engineer());
            ps.setString(5, s.database());
            ps.setString(6, s.dbUser());
            ps.setString(7, s.clientHost());
            ps.setString(8, s.applicationName());
            ps.setObject(9, Store.toDb(s.openedAt()));
            ps.executeUpdate();
        }
        return true;
    }

    public Optional<DriverSession> find(Connection c, String sessionId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE session_id = ?")) {
            ps.setString(1, sessionId);
            List<DriverSession> all = all(ps);
            return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
        }
    }

    /** Marks the session closed; false if it already was (so DISCONNECT is recorded once). */
    public boolean close(Connection c, String sessionId, Instant at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE driver_sessions SET closed_at = ? WHERE session_id = ? AND closed_at IS NULL")) {
            ps.setObject(1, Store.toDb(at));
            ps.setString(2, sessionId);
            return ps.executeUpdate() == 1;
        }
    }

    /** Closes every open session of a grant (its window ended) and returns them. */
    public List<DriverSession> closeAllOf(Connection c, String requestId, Instant at) throws SQLException {
        List<DriverSession> open;
        try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE request_id = ? AND closed_at IS NULL")) {
            ps.setString(1, requestId);
            open = all(ps);
        }
        List<DriverSession> closed = new ArrayList<>();
        for (DriverSession s : open) if (close(c, s.sessionId(), at)) closed.add(s);
        return closed;
    }

    private static List<DriverSession> all(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            List<DriverSession> out = new ArrayList<>();
            while (rs.next()) {
                out.add(new DriverSession(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getString(6), rs.getString(7), rs.getString(8), Store.instant(rs, "opened_at"), Store.instant(rs, "closed_at")));
            }
            return out;
        }
    }
}

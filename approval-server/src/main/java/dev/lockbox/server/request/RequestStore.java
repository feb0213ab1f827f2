package dev.lockbox.server.request;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockbox.api.LockboxJson;
import dev.lockbox.api.request.AccessLevel;
import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.api.request.RequestHistoryEntry;
import dev.lockbox.api.request.RequestStatus;
import dev.lockbox.server.store.Store;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The access_requests and request_history tables. State changes are conditional updates
 * ({@code WHERE status = expected}), so two deciders, or a decider and the scheduler, can never
 * both win: the loser sees 0 rows and answers 409.
 */
public final class RequestStore {
    private static final ObjectMapper JSON = LockboxJson.newMapper();
    private static final String SELECT = "SELECT id, support_ticket_id, environment, requester, justification, access_level, scope_json, "
            + "access_period, created_at, request_expires_at, status, decided_by, decided_at, access_starts_at, access_expires_at FROM access_requests";
    private static final int LIST_LIMIT = 1000;

    private final Store store;

    public RequestStore(Store store) {
        this.store = store;
    }

    public void insert(Connection c, AccessRequest r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO access_requests (id, support_ticket_id, environment, requester, justification, access_level, scope_json, access_period, "
                + "created_at, request_expires_at, status, decided_by, decided_at, access_starts_at, access_expires_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            ps.setString(1, r.id());
            ps.setString(2, r.supportTicketId());
            ps.setString(3, r.environment());
            ps.setString(4, r.requester());
            ps.setString(5, r.justification());
            ps.setString(6, r.accessLevel().name());
            ps.setString(7, r.scope() == null ? null : json(r.scope()));
            ps.setString(8, r.accessPeriod().toString());
            ps.setObject(9, Store.toDb(r.createdAt()));
            ps.setObject(10, Store.toDb(r.requestExpiresAt()));
            ps.setString(11, r.status().name());
            ps.setString(12, r.decidedBy());
            ps.setObject(13, Store.toDb(r.decidedAt()));
            ps.setObject(14, Store.toDb(r.accessStartsAt()));
            ps.setObject(15, Store.toDb(r.accessExpiresAt()));
            ps.executeUpdate();
        }
    }

    /**
     * Moves request {@code to.id()} from {@code from} to {@code to}'s status and decision fields;
     * false (nothing changed) when it is no longer in {@code from}.
     */
    public boolean transition(Connection c, RequestStatus from, AccessRequest to, Instant accessEndedAt) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE access_requests SET status = ?, decided_by = ?, decided_at = ?, access_starts_at = ?, "
                + "access_expires_at = ?, access_ended_at = ? WHERE id = ? AND status = ?")) {
            ps.setString(1, to.status().name());
            ps.setString(2, to.decidedBy());
            ps.setObject(3, Store.toDb(to.decidedAt()));
            ps.setObject(4, Store.toDb(to.accessStartsAt()));
            ps.setObject(5, Store.toDb(to.accessExpiresAt()));
            ps.setObject(6, Store.toDb(accessEndedAt));
            ps.setString(7, to.id());
            ps.setString(8, from.name());
            return ps.executeUpdate() == 1;
        }
    }

    /** Records that the access window of an approved request has closed; false if already recorded. */
    public boolean markAccessEnded(Connection c, String id, Instant at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE access_requests SET access_ended_at = ? WHERE id = ? AND status = 'APPROVED' AND access_ended_at IS NULL")) {
            ps.setObject(1, Store.toDb(at));
            ps.setString(2, id);
            return ps.executeUpdate() == 1;
        }
    }

    public void addHistory(Connection c, String requestId, RequestHistoryEntry e) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO request_history (request_id, happened_at, actor, action, from_status, to_status, note) VALUES (?,?,?,?,?,?,?)")) {
            ps.setString(1, requestId);
            ps.setObject(2, Store.toDb(e.at()));
            ps.setString(3, e.actor());
            ps.setString(4, e.action());
            ps.setString(5, e.fromStatus() == null ? null : e.fromStatus().name());
            ps.setString(6, e.toStatus() == null ? null : e.toStatus().name());
            ps.setString(7, e.comment());
            ps.executeUpdate();
        }
    }

    public List<RequestHistoryEntry> history(Connection c, String requestId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT happened_at, actor, action, from_status, to_status, note FROM request_history WHERE request_id = ? ORDER BY id")) {
            ps.setString(1, requestId);
            try (ResultSet rs = ps.executeQuery()) {
                List<RequestHistoryEntry> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new RequestHistoryEntry(Store.instant(rs, "happened_at"), rs.getString("actor"), rs.getString("action"),
                            status(rs.getString("from_status")), status(rs.getString("to_status")), rs.getString("note")));
                }
                return out;
            }
        }
    }

    public Optional<AccessRequest> find(String id) {
        return store.read(c -> find(c, id));
    }

    public Optional<AccessRequest> find(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE id = ?")) {
            ps.setString(1, id);
            return first(ps);
        }
    }

    /** The request with its history, as {@code GET /api/requests/{id}} returns it. */
    public Optional<AccessRequest> findWithHistory(String id) {
        return store.read(c -> {
            Optional<AccessRequest> r = find(c, id);
            if (r.isEmpty()) return r;
            return Optional.of(withHistory(r.get(), history(c, id)));
        });
    }

    /** The engineer's approved request on the environment whose window contains {@code now}. */
    public Optional<AccessRequest> activeGrant(Connection c, String engineer, String environment, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE requester = ? AND environment = ? AND status = 'APPROVED' "
                + "AND access_starts_at <= ? AND access_expires_at > ? ORDER BY access_expires_at DESC FETCH FIRST 1 ROWS ONLY")) {
            ps.setString(1, engineer);
            ps.setString(2, environment);
            ps.setObject(3, Store.toDb(now));
            ps.setObject(4, Store.toDb(now));
            return first(ps);
        }
    }

    /** The engineer's most recent request on the environment, whatever its status. */
    public Optional<AccessRequest> latest(Connection c, String engineer, String environment) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE requester = ? AND environment = ? ORDER BY created_seq DESC FETCH FIRST 1 ROWS ONLY")) {
            ps.setString(1, engineer);
            ps.setString(2, environment);
            return first(ps);
        }
    }

    /** A PENDING request, or an APPROVED one whose window has not been closed, of the engineer on the environment. */
    public Optional<AccessRequest> openRequestOf(Connection c, String engineer, String environment, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE requester = ? AND environment = ? AND ((status = 'PENDING' AND request_expires_at > ?) "
                + "OR (status = 'APPROVED' AND access_expires_at > ?)) FETCH FIRST 1 ROWS ONLY")) {
            ps.setString(1, engineer);
            ps.setString(2, environment);
            ps.setObject(3, Store.toDb(now));
            ps.setObject(4, Store.toDb(now));
            return first(ps);
        }
    }

    /** The id of any request on the environment the scheduler has not finished with. */
    public Optional<String> openRequestOn(Connection c, String environment) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM access_requests WHERE environment = ? AND (status = 'PENDING' "
                + "OR (status = 'APPROVED' AND access_ended_at IS NULL)) FETCH FIRST 1 ROWS ONLY")) {
            ps.setString(1, environment);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    /**
     * Requests created at or after {@code since}, newest first, optionally filtered; when
     * {@code visibleTo} is set only that user's own requests and those of environments it approves.
     */
    public List<AccessRequest> list(RequestStatus status, String environment, Instant since, String visibleTo) {
        StringBuilder sql = new StringBuilder(SELECT).append(" WHERE created_at >= ?");
        List<Object> args = new ArrayList<>();
        args.add(Store.toDb(since));
        if (status != null) {
            sql.append(" AND status = ?");
            args.add(status.name());
        }
        if (environment != null) {
            sql.append(" AND environment = ?");
            args.add(environment);
        }
        if (visibleTo != null) {
            sql.append(" AND (requester = ? OR environment IN (SELECT environment FROM environment_approvers WHERE user_name = ?))");
            args.add(visibleTo);
            args.add(visibleTo);
        }
        sql.append(" ORDER BY created_at DESC, created_seq DESC FETCH FIRST ").append(LIST_LIMIT).append(" ROWS ONLY");
        return store.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) ps.setObject(i + 1, args.get(i));
                return all(ps);
            }
        });
    }

    /** Ids of PENDING requests whose {@code requestExpiresAt} has come. */
    public List<String> duePending(Instant now) {
        return ids("SELECT id FROM access_requests WHERE status = 'PENDING' AND request_expires_at <= ?", now);
    }

    /** Ids of APPROVED requests whose window has closed and not yet been recorded as ended. */
    public List<String> dueAccessEnd(Instant now) {
        return ids("SELECT id FROM access_requests WHERE status = 'APPROVED' AND access_expires_at <= ? AND access_ended_at IS NULL", now);
    }

    /** Ids of APPROVED requests whose window contains {@code now}: the grants whose database users must live. */
    public List<String> activeGrantIds(Instant now) {
        return ids("SELECT id FROM access_requests WHERE status = 'APPROVED' AND access_expires_at > ?", now);
    }

    private List<String> ids(String sql, Instant now) {
        return store.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setObject(1, Store.toDb(now));
                try (ResultSet rs = ps.executeQuery()) {
                    List<String> out = new ArrayList<>();
                    while (rs.next()) out.add(rs.getString(1));
                    return out;
                }
            }
        });
    }

    public static AccessRequest withHistory(AccessRequest r, List<RequestHistoryEntry> history) {
        return new AccessRequest(r.id(), r.supportTicketId(), r.environment(), r.requester(), r.justification(), r.accessLevel(),
                r.scope(), r.accessPeriod(), r.createdAt(), r.requestExpiresAt(), r.status(), r.decidedBy(), r.decidedAt(),
                r.accessStartsAt(), r.accessExpiresAt(), history);
    }

    private static Optional<AccessRequest> first(PreparedStatement ps) throws SQLException {
        List<AccessRequest> all = all(ps);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    private static List<AccessRequest> all(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            List<AccessRequest> out = new ArrayList<>();
            while (rs.next()) out.add(map(rs));
            return out;
        }
    }

    private static AccessRequest map(ResultSet rs) throws SQLException {
        String scope = rs.getString("scope_json");
        return new AccessRequest(rs.getString("id"), rs.getString("support_ticket_id"), rs.getString("environment"),
                rs.getString("requester"), rs.getString("justification"), AccessLevel.valueOf(rs.getString("access_level")),
                scope == null ? null : scopeOf(scope), Duration.parse(rs.getString("access_period")),
                Store.instant(rs, "created_at"), Store.instant(rs, "request_expires_at"), RequestStatus.valueOf(rs.getString("status")),
                rs.getString("decided_by"), Store.instant(rs, "decided_at"), Store.instant(rs, "access_starts_at"),
                Store.instant(rs, "access_expires_at"), List.of());
    }

    private static RequestStatus status(String s) {
        return s == null ? null : RequestStatus.valueOf(s);
    }

    private static String json(List<String> values) {
        try {
            return JSON.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> scopeOf(String json) throws SQLException {
        try {
            return List.copyOf(JSON.readValue(json, new TypeReference<List<String>>() {}));
        } catch (JsonProcessingException e) {
            throw new SQLException("corrupt scope_json: " + e.getOriginalMessage(), e);
        }
    }
}

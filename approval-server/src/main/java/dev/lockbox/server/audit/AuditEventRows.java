package dev.lockbox.server.audit;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockbox.api.LockboxJson;
import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.audit.AuditOutcome;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The SQL of the {@code audit_event}, {@code audit_awaiting}, {@code audit_late_outcome} and
 * {@code audit_request_span} tables (migrations V100..V104), on H2 and PostgreSQL alike. Event ids
 * are UUID columns (V104), bound as {@link UUID} (see {@link #id}) and read back with
 * {@code getString}, which gives the lower-case text form on both databases: the form
 * {@link AuditBatchRules#eventKey} stores and the hash chain covers.
 */
final class AuditEventRows {

    private static final String COLUMNS = "event_id, environment, sequence, event_time, db_name, request_id,"
            + " support_ticket_id, engineer, db_user, session_id, client_host, application_name, action,"
            + " action_class, objects, statement, parameters, decision, deny_reason, succeeded, rows_affected,"
            + " error, duration_ms, prev_hash, hash";
    private static final String INSERT = "INSERT INTO audit_event (" + COLUMNS + ", received_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String SEAL = "UPDATE audit_event SET succeeded = ?, rows_affected = ?, error = ?,"
            + " duration_ms = ?, sequence = ?, prev_hash = ?, hash = ?"
            + " WHERE event_id = ? AND sequence IS NULL";

    /** The most ids {@link #lockExisting} locks with a no-op update on H2; more take {@code SELECT ... FOR UPDATE}. */
    static final int UPDATE_FIRST_MAX_IDS = 4;

    private final ObjectMapper json = LockboxJson.newMapper();

    /** An event as stored, and whether it is already sealed. */
    record Stored(AuditEvent event) {
        boolean sealed() {
            return event.hash() != null;
        }
    }

    /**
     * Inserts events; sealed ones carry their chain fields, unsealed ones are also listed in
     * {@code audit_awaiting}: they wait for their outcome since {@code now}.
     */
    void insert(Connection c, Collection<AuditEvent> events, Instant now) throws SQLException {
        if (events.isEmpty()) return;
        OffsetDateTime received = utc(now);
        List<AuditEvent> waiting = new ArrayList<>();
        List<UUID> waitingIds = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            for (AuditEvent e : events) {
                UUID id = id(e.eventId());
                boolean sealed = e.hash() != null;
                if (!sealed) {
                    waiting.add(e);
                    waitingIds.add(id);
                }
                int i = 1;
                ps.setObject(i++, id);
                ps.setString(i++, e.environment());
                if (sealed) ps.setLong(i++, e.sequence()); else ps.setNull(i++, Types.BIGINT);
                ps.setObject(i++, utc(e.eventTime()));
                ps.setString(i++, e.database());
                ps.setString(i++, e.requestId());
                ps.setString(i++, e.supportTicketId());
                ps.setString(i++, e.engineer());
                ps.setString(i++, e.dbUser());
                ps.setString(i++, e.sessionId());
                ps.setString(i++, e.clientHost());
                ps.setString(i++, e.applicationName());
                ps.setString(i++, e.action());
                ps.setString(i++, e.actionClass());
                ps.setString(i++, objectsJson(e.objects()));
                ps.setString(i++, e.statement());
                ps.setString(i++, e.parameters());
                ps.setString(i++, e.decision());
                ps.setString(i++, e.denyReason());
                setBoolean(ps, i++, e.succeeded());
                setLong(ps, i++, e.rowsAffected());
                ps.setString(i++, e.error());
                setDouble(ps, i++, e.durationMs());
                ps.setString(i++, e.prevHash());
                ps.setString(i++, e.hash());
                ps.setObject(i, received);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        if (waiting.isEmpty()) return;
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO audit_awaiting (event_id, environment, since) VALUES (?, ?, ?)")) {
            for (int k = 0; k < waiting.size(); k++) {
                ps.setObject(1, waitingIds.get(k));
                ps.setString(2, waiting.get(k).environment());
                ps.setObject(3, received);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Writes outcome and chain fields of events stored earlier; each must still be unsealed (the caller holds its row lock). */
    void seal(Connection c, List<AuditEvent> sealed) throws SQLException {
        if (sealed.isEmpty()) return;
        UUID[] ids = new UUID[sealed.size()];
        try (PreparedStatement ps = c.prepareStatement(SEAL)) {
            for (int k = 0; k < ids.length; k++) {
                AuditEvent e = sealed.get(k);
                ids[k] = id(e.eventId());
                setBoolean(ps, 1, e.succeeded());
                setLong(ps, 2, e.rowsAffected());
                ps.setString(3, e.error());
                setDouble(ps, 4, e.durationMs());
                ps.setLong(5, e.sequence());
                ps.setString(6, e.prevHash());
                ps.setString(7, e.hash());
                ps.setObject(8, ids[k]);
                ps.addBatch();
            }
            int[] counts = ps.executeBatch();
            for (int k = 0; k < counts.length; k++) {
                // SUCCESS_NO_INFO is allowed; 0 would mean someone sealed it without holding the row lock.
                if (counts[k] == 0) throw new SQLException("audit event " + sealed.get(k).eventId() + " was sealed concurrently");
            }
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM audit_awaiting WHERE event_id = ?")) {
            for (UUID id : ids) {
                ps.setObject(1, id);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * Locks and returns the stored events among {@code ids} for the rest of the transaction. Only a few
     * ids (a sync driver's POST names its new event and the previous one) are locked the
     * {@link RowLocking#UPDATE_FIRST} way: the no-op update costs more per row than H2's parse of
     * {@code SELECT ... FOR UPDATE} costs per statement, and batches of a hundred outcomes were 16%
     * slower that way (docs/benchmarks.md, "Sync POST: what is left besides the commit").
     */
    Map<String, Stored> lockExisting(Connection c, Collection<String> ids, RowLocking locking) throws SQLException {
        String read = "SELECT " + COLUMNS + " FROM audit_event WHERE event_id = ANY (?)";
        if (locking == RowLocking.UPDATE_FIRST && ids.size() <= UPDATE_FIRST_MAX_IDS) {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE audit_event SET received_at = received_at WHERE event_id = ANY (?)")) {
                setIds(c, ps, ids);
                if (ps.executeUpdate() == 0) return Map.of(); // none stored: nothing to read
            }
        } else {
            read += " FOR UPDATE";
        }
        return find(c, read, ids);
    }

    /** The stored events among {@code ids}, read without locking them. */
    Map<String, Stored> findExisting(Connection c, Collection<String> ids) throws SQLException {
        return find(c, "SELECT " + COLUMNS + " FROM audit_event WHERE event_id = ANY (?)", ids);
    }

    private Map<String, Stored> find(Connection c, String query, Collection<String> ids) throws SQLException {
        Map<String, Stored> found = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(query)) {
            setIds(c, ps, ids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    AuditEvent e = read(rs);
                    found.put(e.eventId(), new Stored(e));
                }
            }
        }
        return found;
    }

    /**
     * One array parameter instead of an IN list: the SQL text is the same for every batch size, so
     * H2 and PostgreSQL parse and plan it once per connection, and both still use the primary key.
     */
    private static void setIds(Connection c, PreparedStatement ps, Collection<String> ids) throws SQLException {
        UUID[] uuids = new UUID[ids.size()];
        int k = 0;
        for (String id : ids) uuids[k++] = id(id);
        ps.setArray(1, c.createArrayOf("UUID", uuids));
    }

    /**
     * Ids and environments of events still waiting for an outcome since {@code cutoff} or earlier, oldest
     * first. Read from {@code audit_awaiting}, which holds only waiting events: the cost does not grow with the log.
     */
    List<Map.Entry<String, String>> overdue(Connection c, Instant cutoff, int limit) throws SQLException {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT event_id, environment FROM audit_awaiting"
                + " WHERE since <= ? ORDER BY since LIMIT ?")) {
            ps.setObject(1, utc(cutoff));
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(Map.entry(rs.getString(1), rs.getString(2)));
            }
        }
        return out;
    }

    /**
     * Locks the events among {@code ids} (found by {@link #overdue}) and returns those still unsealed. An
     * event's waiting time is fixed when it is stored, so one found overdue stays overdue until sealed.
     */
    List<AuditEvent> lockOverdue(Connection c, Collection<String> ids) throws SQLException {
        List<AuditEvent> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM audit_event"
                + " WHERE event_id = ANY (?) FOR UPDATE")) {
            setIds(c, ps, ids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    AuditEvent e = read(rs);
                    if (e.hash() == null) out.add(e);
                }
            }
        }
        return out;
    }

    // ORDER BY the full index prefix: H2 then reads the index in order and stops at the LIMIT
    // instead of sorting every event of the environment.

    /** Sealed events of one environment after a sequence, in order. */
    List<AuditEvent> page(Connection c, String environment, long afterSequence, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM audit_event"
                + " WHERE environment = ? AND sequence > ? ORDER BY environment, sequence LIMIT ?")) {
            ps.setString(1, environment);
            ps.setLong(2, afterSequence);
            ps.setInt(3, limit);
            return readAll(ps);
        }
    }

    /**
     * Sealed events of one request after a sequence, in order, at most {@code limit}. Found through the
     * request's span of its environment's chain ({@code audit_request_span}, V103, kept by
     * {@link ChainHead}): the {@code (environment, sequence)} index is read from the span's start (or
     * {@code afterSequence}) and the request's rows kept, until {@code limit} are found or the span ends.
     * The rows read are the request's plus the other requests' events sealed in between. A request
     * belongs to one environment; were it ever recorded in several, their spans are read in environment order.
     */
    List<AuditEvent> forRequest(Connection c, String requestId, long afterSequence, int limit) throws SQLException {
        List<RequestSpan> spans = new ArrayList<>(1);
        try (PreparedStatement ps = c.prepareStatement("SELECT environment, first_sequence, last_sequence"
                + " FROM audit_request_span WHERE request_id = ? ORDER BY environment")) {
            ps.setString(1, requestId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) spans.add(new RequestSpan(rs.getString(1), rs.getLong(2), rs.getLong(3)));
            }
        }
        List<AuditEvent> out = new ArrayList<>();
        for (RequestSpan span : spans) {
            if (out.size() >= limit) break;
            long from = Math.max(afterSequence, span.firstSequence() - 1);
            if (from >= span.lastSequence()) continue;
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM audit_event"
                    + " WHERE environment = ? AND sequence > ? AND sequence <= ? AND request_id = ?"
                    + " ORDER BY environment, sequence LIMIT ?")) {
                ps.setString(1, span.environment());
                ps.setLong(2, from);
                ps.setLong(3, span.lastSequence());
                ps.setString(4, requestId);
                ps.setInt(5, limit - out.size());
                out.addAll(readAll(ps));
            }
        }
        return out;
    }

    /** A row of {@code audit_request_span}: where one request's sealed events lie in its environment's chain. */
    private record RequestSpan(String environment, long firstSequence, long lastSequence) {}

    /** Whether a late outcome of this event is already kept. */
    boolean hasLateOutcome(Connection c, String eventId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM audit_late_outcome WHERE event_id = ?")) {
            ps.setObject(1, id(eventId));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    void insertLateOutcomes(Connection c, List<AuditOutcome> outcomes, Instant now) throws SQLException {
        if (outcomes.isEmpty()) return;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_late_outcome"
                + " (event_id, received_at, succeeded, rows_affected, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?)")) {
            for (AuditOutcome o : outcomes) {
                ps.setObject(1, id(o.eventId()));
                ps.setObject(2, utc(now));
                ps.setBoolean(3, o.succeeded());
                setLong(ps, 4, o.rowsAffected());
                ps.setString(5, o.error());
                ps.setDouble(6, o.durationMs());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private List<AuditEvent> readAll(PreparedStatement ps) throws SQLException {
        List<AuditEvent> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.add(read(rs));
        }
        return out;
    }

    /** The event of the current row of a query that selects {@link #COLUMNS} first (read by position: cheaper). */
    private AuditEvent read(ResultSet rs) throws SQLException {
        long sequence = rs.getLong(3);
        OffsetDateTime time = rs.getObject(4, OffsetDateTime.class);
        boolean succeeded = rs.getBoolean(20);
        Boolean succeededOrNull = rs.wasNull() ? null : succeeded;
        long rows = rs.getLong(21);
        Long rowsOrNull = rs.wasNull() ? null : rows;
        double duration = rs.getDouble(23);
        Double durationOrNull = rs.wasNull() ? null : duration;
        return new AuditEvent(sequence, rs.getString(1), time.toInstant(), rs.getString(2),
                rs.getString(5), rs.getString(6), rs.getString(7),
                rs.getString(8), rs.getString(9), rs.getString(10),
                rs.getString(11), rs.getString(12), rs.getString(13),
                rs.getString(14), objects(rs.getString(15)), rs.getString(16),
                rs.getString(17), rs.getString(18), rs.getString(19),
                succeededOrNull, rowsOrNull, rs.getString(22), durationOrNull, rs.getString(24),
                rs.getString(25));
    }

    private String objectsJson(List<String> objects) {
        try {
            return json.writeValueAsString(objects == null ? List.of() : objects);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a list of strings is always JSON", e);
        }
    }

    /**
     * The stored JSON array of strings. The column is always written by Jackson, compact:
     * {@code ["a","b"]}; without a backslash no name holds a quote, so the names are what lies
     * between {@code ["}, {@code ","} and {@code "]}, cut without a parser. Anything else (escapes,
     * other spacing) goes through Jackson's streaming parser.
     */
    private List<String> objects(String text) throws SQLException {
        if ("[]".equals(text)) return List.of(); // session events and statements without tables
        int end = text.length() - 2;
        if (end < 2 || !text.startsWith("[\"") || !text.endsWith("\"]") || text.indexOf('\\') >= 0) {
            return parseObjects(text);
        }
        List<String> out = new ArrayList<>(4);
        int from = 2;
        for (int comma = text.indexOf("\",\"", from); comma >= 0; comma = text.indexOf("\",\"", from)) {
            out.add(text.substring(from, comma));
            from = comma + 3;
        }
        out.add(text.substring(from, end));
        for (String name : out) {
            if (name.indexOf('"') >= 0) return parseObjects(text); // not Jackson's compact form after all
        }
        return List.copyOf(out);
    }

    private List<String> parseObjects(String text) throws SQLException {
        try (JsonParser p = json.getFactory().createParser(text)) {
            if (p.nextToken() != JsonToken.START_ARRAY) throw new SQLException("audit_event.objects is not a JSON array: " + text);
            List<String> out = new ArrayList<>(2);
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (t != JsonToken.VALUE_STRING) throw new SQLException("audit_event.objects holds a non-string: " + text);
                out.add(p.getText());
            }
            if (p.nextToken() != null) throw new SQLException("audit_event.objects has text after its array: " + text);
            return List.copyOf(out);
        } catch (IOException e) {
            throw new SQLException("audit_event.objects is not a JSON array of strings", e);
        }
    }

    /**
     * An event id as bound to the UUID columns. Ids reaching the store were checked as 8-4-4-4-12 hex
     * ({@link AuditBatchRules}) or minted by {@code EventIds}, so this only converts; callers convert
     * each event's id once per write and reuse it for every statement that names the event.
     */
    private static UUID id(String eventId) {
        return UUID.fromString(eventId);
    }

    static OffsetDateTime utc(Instant t) {
        return t.atOffset(ZoneOffset.UTC);
    }

    private static void setBoolean(PreparedStatement ps, int i, Boolean v) throws SQLException {
        if (v == null) ps.setNull(i, Types.BOOLEAN); else ps.setBoolean(i, v);
    }

    private static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) ps.setNull(i, Types.BIGINT); else ps.setLong(i, v);
    }

    private static void setDouble(PreparedStatement ps, int i, Double v) throws SQLException {
        if (v == null) ps.setNull(i, Types.DOUBLE); else ps.setDouble(i, v);
    }
}

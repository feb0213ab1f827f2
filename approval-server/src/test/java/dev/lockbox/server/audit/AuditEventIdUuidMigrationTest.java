package dev.lockbox.server.audit;

import static dev.lockbox.server.audit.AuditFixtures.T0;
import static dev.lockbox.server.audit.AuditFixtures.allowed;
import static dev.lockbox.server.audit.AuditFixtures.assertWholeChain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockbox.api.audit.ActionClass;
import dev.lockbox.api.audit.AuditAck;
import dev.lockbox.api.audit.AuditBatch;
import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.audit.AuditEventSubmission;
import dev.lockbox.api.audit.AuditOutcome;
import dev.lockbox.api.audit.Decision;
import dev.lockbox.api.audit.EventIds;
import dev.lockbox.server.testing.MutableClock;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * V104 turns the three {@code event_id} columns from VARCHAR(36) into UUID: a store upgraded with
 * sealed events, a waiting event, an event sealed without outcome and its late outcome must read
 * back the same events (same ids, same hashes), and go on sealing, deduplicating and keeping late
 * outcomes as before.
 */
class AuditEventIdUuidMigrationTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private final MutableClock clock = new MutableClock(T0.plus(Duration.ofHours(1)));
    private final AuditFixtures.Grants grants = new AuditFixtures.Grants();
    private AuditStore store;

    @AfterEach
    void close() {
        if (store != null) store.close();
    }

    @Test
    void eventsStoredWithTextIdsReadSealAndChainTheSameAfterTheUpgrade() throws SQLException {
        // The store as V103 left it (the last migration before V104); the rows below are written by hand.
        store = AuditStore.inMemory("v104-" + UUID.randomUUID(), "103");
        Instant received = clock.instant();
        AuditEvent done = event(1, "UPDATE orders SET a = 1", "ALLOWED", true, 1.5);
        AuditEvent refused = event(2, "DROP TABLE orders", "DENIED", false, null);
        AuditEvent noOutcome = event(3, "UPDATE orders SET a = 3", "ALLOWED", null, null);
        AuditEvent lateLater = event(4, "UPDATE orders SET a = 4", "ALLOWED", null, null);
        AuditEvent overdue = event(5, "UPDATE orders SET a = 5", "ALLOWED", null, null);
        AuditEvent completedLater = event(6, "UPDATE orders SET a = 6", "ALLOWED", null, null);
        List<AuditEvent> sealedBefore = new ArrayList<>();
        try (Connection c = store.ds.getConnection()) {
            c.setAutoCommit(false);
            ChainHead head = ChainHead.lock(c, "sales", RowLocking.of(c));
            for (AuditEvent e : List.of(done, refused, noOutcome, lateLater)) {
                AuditEvent sealed = head.append(e);
                insertAsText(c, sealed, received);
                sealedBefore.add(sealed);
            }
            head.save(c);
            insertAsText(c, overdue, received);
            insertAsText(c, completedLater, received);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_late_outcome"
                    + " (event_id, received_at, succeeded, rows_affected, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, noOutcome.eventId());
                ps.setObject(2, AuditEventRows.utc(received));
                ps.setBoolean(3, false);
                ps.setNull(4, Types.BIGINT);
                ps.setString(5, "deadlock detected");
                ps.setDouble(6, 812.5);
                ps.executeUpdate();
            }
            c.commit();
        }

        store.migrate();

        assertThat(List.of(columnType("audit_event"), columnType("audit_awaiting"), columnType("audit_late_outcome")))
                .containsOnly("uuid");
        grants.approve("r1", "sales", "alice", true);
        JdbcAuditLog log = new JdbcAuditLog(store.ds, clock, grants, TIMEOUT);
        // Same ids in their lower-case text form, same hashes: the chain written before reads back unchanged.
        assertThat(log.page("sales", 0, 100).events()).containsExactlyElementsOf(sealedBefore);
        assertThat(store.longQuery("SELECT COUNT(*) FROM audit_late_outcome WHERE event_id = '" + noOutcome.eventId()
                + "' AND error = 'deadlock detected'")).isOne();

        // A retried event is found by its id (lockExisting's UUID array); an outcome completes an event stored
        // before (seal and the audit_awaiting delete by UUID); a repeated late outcome is found (hasLateOutcome),
        // a new one kept (insertLateOutcomes, the re-created foreign key).
        AuditEventSubmission retried = submission(done, "UPDATE orders SET a = 1");
        AuditEventSubmission fresh = allowed("r1", clock.instant(), "UPDATE orders SET a = 7");
        AuditAck ack = log.ingest("alice", new AuditBatch("sales", List.of(retried, fresh), List.of(
                new AuditOutcome(fresh.eventId(), true, 7L, null, 0.7),
                new AuditOutcome(completedLater.eventId(), true, 6L, null, 0.6),
                new AuditOutcome(noOutcome.eventId(), true, 3L, null, 0.3),
                new AuditOutcome(lateLater.eventId(), false, null, "timeout", 0.4))));
        assertThat(ack).isEqualTo(new AuditAck(1, 1, 2));
        assertThat(store.count("audit_late_outcome")).isEqualTo(2);
        assertThat(store.longQuery("SELECT COUNT(*) FROM audit_late_outcome WHERE event_id = '" + lateLater.eventId()
                + "' AND error = 'timeout'")).isOne();

        // The event still waiting is found overdue in audit_awaiting and sealed by the scheduler.
        assertThat(log.sealOverdue(received.plus(TIMEOUT))).isOne();
        assertThat(store.count("audit_awaiting")).isZero();

        List<AuditEvent> chain = log.page("sales", 0, 100).events();
        assertThat(chain).extracting(AuditEvent::eventId).containsExactly(done.eventId(), refused.eventId(),
                noOutcome.eventId(), lateLater.eventId(), completedLater.eventId(), fresh.eventId(), overdue.eventId());
        assertThat(chain.subList(0, 4)).containsExactlyElementsOf(sealedBefore);
        assertThat(chain.get(4).succeeded()).isTrue();
        assertThat(chain.get(6).succeeded()).isNull();
        assertWholeChain(chain);
        assertThat(log.forRequest("r1", 0, 100)).containsExactlyElementsOf(chain);
    }

    @Test
    void theLateOutcomeKeysAreBackUnderTheirNewNames() {
        store = AuditStore.inMemory("v104-keys-" + UUID.randomUUID());
        String unknown = EventIds.next();
        // The foreign key re-created by V104 still refuses an outcome of an event that was never stored.
        assertThatThrownBy(() -> store.execute("INSERT INTO audit_late_outcome (event_id, received_at, succeeded,"
                + " duration_ms) VALUES ('" + unknown + "', CURRENT_TIMESTAMP, TRUE, 1)"))
                .cause().isInstanceOfSatisfying(SQLException.class,
                        e -> assertThat(e.getSQLState()).startsWith("23")); // integrity constraint violation
        assertThat(store.longQuery("SELECT COUNT(*) FROM information_schema.table_constraints"
                + " WHERE LOWER(table_name) = 'audit_late_outcome' AND LOWER(constraint_name)"
                + " IN ('audit_late_outcome_pkey', 'audit_late_outcome_event')" + schemaFilter())).isEqualTo(2);
    }

    /** The event with sequence 0 and no chain fields, as ingest would build it; outcome columns as given. */
    private static AuditEvent event(int i, String statement, String decision, Boolean succeeded, Double durationMs) {
        boolean denied = "DENIED".equals(decision);
        return new AuditEvent(0, EventIds.next(), T0.plusSeconds(i).plusNanos(1_000), "sales", "shop", "r1",
                "TICKET-r1", "alice", "lb_grant_1", "session-1", "laptop-7", "DBeaver", "UPDATE", "WRITE",
                List.of("public.orders"), statement, "[" + i + "]", decision, denied ? "read-only grant" : null,
                succeeded, succeeded == null || denied ? null : (long) i, null, durationMs, null, null);
    }

    private static AuditEventSubmission submission(AuditEvent e, String statement) {
        return new AuditEventSubmission(e.eventId(), e.eventTime(), e.requestId(), e.database(), e.dbUser(),
                e.sessionId(), e.clientHost(), e.applicationName(), e.action(),
                ActionClass.valueOf(e.actionClass()), e.objects(), statement, e.parameters(),
                Decision.valueOf(e.decision()), e.denyReason());
    }

    /**
     * Writes an event the way the server did before V104, its id bound as text (V100's columns, V102's
     * audit_awaiting row for an unsealed one).
     */
    private static void insertAsText(Connection c, AuditEvent e, Instant received) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_event (event_id, environment, sequence,"
                + " event_time, db_name, request_id, support_ticket_id, engineer, db_user, session_id, client_host,"
                + " application_name, action, action_class, objects, statement, parameters, decision, deny_reason,"
                + " succeeded, rows_affected, error, duration_ms, prev_hash, hash, received_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            int i = 1;
            ps.setString(i++, e.eventId());
            ps.setString(i++, e.environment());
            ps.setObject(i++, e.hash() == null ? null : e.sequence(), Types.BIGINT);
            ps.setObject(i++, AuditEventRows.utc(e.eventTime()));
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
            ps.setString(i++, "[\"" + String.join("\",\"", e.objects()) + "\"]");
            ps.setString(i++, e.statement());
            ps.setString(i++, e.parameters());
            ps.setString(i++, e.decision());
            ps.setString(i++, e.denyReason());
            ps.setObject(i++, e.succeeded(), Types.BOOLEAN);
            ps.setObject(i++, e.rowsAffected(), Types.BIGINT);
            ps.setString(i++, e.error());
            ps.setObject(i++, e.durationMs(), Types.DOUBLE);
            ps.setString(i++, e.prevHash());
            ps.setString(i++, e.hash());
            ps.setObject(i, AuditEventRows.utc(received));
            ps.executeUpdate();
        }
        if (e.hash() != null) return;
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO audit_awaiting (event_id, environment, since) VALUES (?, ?, ?)")) {
            ps.setString(1, e.eventId());
            ps.setString(2, e.environment());
            ps.setObject(3, AuditEventRows.utc(received));
            ps.executeUpdate();
        }
    }

    /** The type of a table's event_id column, lower-case (H2 says UUID, PostgreSQL uuid). */
    private String columnType(String table) throws SQLException {
        try (Connection c = store.ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT data_type FROM information_schema.columns WHERE LOWER(table_name) = ?"
                        + " AND LOWER(column_name) = 'event_id'" + schemaFilter())) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as(table).isTrue();
                String type = rs.getString(1).toLowerCase(Locale.ROOT);
                assertThat(rs.next()).as(table + " in one schema").isFalse();
                return type;
            }
        }
    }

    /** On PostgreSQL each test store is a schema of one database: look only at the current one. */
    private static String schemaFilter() {
        return " AND table_schema = CURRENT_SCHEMA";
    }
}

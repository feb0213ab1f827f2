package dev.lockbox.server.audit;

import static dev.lockbox.server.audit.AuditFixtures.T0;
import static dev.lockbox.server.audit.AuditFixtures.allowed;
import static dev.lockbox.server.audit.AuditFixtures.denied;
import static dev.lockbox.server.audit.AuditFixtures.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lockbox.api.audit.AuditBatch;
import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.audit.AuditEventSubmission;
import dev.lockbox.api.audit.EventIds;
import dev.lockbox.server.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A request's events are found through its span of the chain ({@code audit_request_span}, V103), not an
 * index entry per event: every way an event is sealed must start or extend its request's span, the
 * read must keep only the request's rows of a span shared with other requests, and a store upgraded
 * with sealed events must find them as before.
 */
class AuditRequestSpanTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private final MutableClock clock = new MutableClock(T0.plus(Duration.ofHours(1)));
    private final AuditFixtures.Grants grants = new AuditFixtures.Grants();
    private AuditStore store;

    @AfterEach
    void close() {
        if (store != null) store.close(); // null when the PostgreSQL run is skipped
    }

    private JdbcAuditLog open(String version) {
        store = AuditStore.inMemory("span-" + UUID.randomUUID(), version);
        grants.approve("r1", "sales", "alice", true);
        grants.approve("r2", "sales", "bob", true);
        grants.approve("r3", "hr", "alice", true);
        return new JdbcAuditLog(store.ds, clock, grants, TIMEOUT);
    }

    @Test
    void everyWayOfSealingStartsOrExtendsTheRequestsSpan() {
        JdbcAuditLog log = open(null);
        // 1: DENIED, sealed on arrival (no outcome: the careful way).
        AuditEventSubmission refused = denied("r1", clock.instant(), "DROP TABLE orders");
        log.ingest("alice", new AuditBatch("sales", List.of(refused), List.of()));
        // 2: event and outcome in one batch (the optimistic way).
        AuditEventSubmission together = allowed("r1", clock.instant(), "SELECT 2");
        log.ingest("alice", new AuditBatch("sales", List.of(together), List.of(ok(together, 1))));
        // 3: another request in between.
        AuditEventSubmission theirs = allowed("r2", clock.instant(), "SELECT 3");
        log.ingest("bob", new AuditBatch("sales", List.of(theirs), List.of(ok(theirs, 1))));
        // 5 (stored now, sealed by its outcome in the next batch), 4 (overdue, sealed by the scheduler).
        AuditEventSubmission outcomeLater = allowed("r1", clock.instant(), "SELECT 5");
        AuditEventSubmission neverAnswered = allowed("r1", clock.instant(), "SELECT 4");
        log.ingest("alice", new AuditBatch("sales", List.of(neverAnswered), List.of()));
        clock.advance(TIMEOUT);
        log.ingest("alice", new AuditBatch("sales", List.of(outcomeLater), List.of()));
        assertThat(log.sealOverdue(clock.instant())).isOne();
        log.ingest("alice", new AuditBatch("sales", List.of(), List.of(ok(outcomeLater, 1))));
        // 6: a session event, recorded by the server itself.
        log.recordSessionEvent(new SessionEvent(AuditEvent.DISCONNECT, clock.instant(), "sales", "alice", "r1",
                "TICKET-r1", "sales", "lb_grant_1", "session-1", "laptop-7", "DBeaver", null));

        List<AuditEvent> mine = log.forRequest("r1", 0, 100);
        assertThat(mine).extracting(AuditEvent::statement)
                .containsExactly("DROP TABLE orders", "SELECT 2", "SELECT 4", "SELECT 5", null);
        assertThat(mine).extracting(AuditEvent::sequence).containsExactly(1L, 2L, 4L, 5L, 6L);
        assertThat(log.forRequest("r2", 0, 100)).extracting(AuditEvent::sequence).containsExactly(3L);
        assertThat(store.longQuery("SELECT first_sequence FROM audit_request_span WHERE request_id = 'r1'")).isEqualTo(1);
        assertThat(store.longQuery("SELECT last_sequence FROM audit_request_span WHERE request_id = 'r1'")).isEqualTo(6);
        assertThat(store.longQuery("SELECT first_sequence FROM audit_request_span WHERE request_id = 'r2'")).isEqualTo(3);
        assertThat(store.longQuery("SELECT last_sequence FROM audit_request_span WHERE request_id = 'r2'")).isEqualTo(3);
        // One row per request and environment, whatever the number of events.
        assertThat(store.count("audit_request_span")).isEqualTo(2);
    }

    @Test
    void aSpanSharedWithOtherRequestsServesOnlyTheRequestsEventsAPageAtATime() {
        JdbcAuditLog log = open(null);
        List<Long> mine = new ArrayList<>();
        // Interleaved in one group's worth of batches and across batches: r1, r2, r2, r1, r2, r2, ...
        for (int round = 0; round < 6; round++) {
            AuditEventSubmission a = allowed("r1", clock.instant(), "SELECT " + round);
            AuditEventSubmission b = allowed("r2", clock.instant(), "SELECT b" + round);
            AuditEventSubmission c = allowed("r2", clock.instant(), "SELECT c" + round);
            log.ingest("alice", new AuditBatch("sales", List.of(a), List.of(ok(a, 1))));
            log.ingest("bob", new AuditBatch("sales", List.of(b, c), List.of(ok(b, 1), ok(c, 1))));
            mine.add(round * 3 + 1L);
        }
        AuditEventSubmission elsewhere = allowed("r3", clock.instant(), "SELECT hr");
        log.ingest("alice", new AuditBatch("hr", List.of(elsewhere), List.of(ok(elsewhere, 1))));

        assertThat(log.forRequest("r1", 0, 100)).extracting(AuditEvent::sequence).containsExactlyElementsOf(mine);
        assertThat(log.forRequest("r1", 0, 100)).extracting(AuditEvent::requestId).containsOnly("r1");
        // Pages: the limit counts the request's rows, afterSequence may fall inside the span or between its events.
        assertThat(log.forRequest("r1", 0, 2)).extracting(AuditEvent::sequence).containsExactly(1L, 4L);
        assertThat(log.forRequest("r1", 4, 2)).extracting(AuditEvent::sequence).containsExactly(7L, 10L);
        assertThat(log.forRequest("r1", 5, 2)).extracting(AuditEvent::sequence).containsExactly(7L, 10L);
        assertThat(log.forRequest("r1", 16, 10)).isEmpty();
        assertThat(log.forRequest("r2", 17, 10)).extracting(AuditEvent::sequence).containsExactly(18L);
        assertThat(log.forRequest("r2", 18, 10)).isEmpty();
        assertThat(log.forRequest("r3", 0, 10)).extracting(AuditEvent::environment).containsExactly("hr");
        assertThat(log.forRequest("r3", 0, 10)).extracting(AuditEvent::sequence).containsExactly(1L);
        // Unsealed events are not served, and start no span until sealed.
        AuditEventSubmission pending = allowed("r1", clock.instant(), "SELECT pending");
        log.ingest("alice", new AuditBatch("sales", List.of(pending), List.of()));
        assertThat(log.forRequest("r1", 0, 100)).hasSize(6);
        assertThat(store.longQuery("SELECT last_sequence FROM audit_request_span WHERE request_id = 'r1'")).isEqualTo(16);
    }

    @Test
    void eventsSealedBeforeTheUpgradeAreFoundThroughTheirSpans() {
        open("102");
        String ts = "TIMESTAMP WITH TIME ZONE '" + clock.instant().toString().replace('T', ' ').replace("Z", "+00") + "'";
        String[] requests = {"r1", "r2", "r1"};
        String prev = "0".repeat(64);
        for (int i = 0; i < requests.length; i++) {
            String hash = Integer.toString(i + 1).repeat(64);
            store.execute("INSERT INTO audit_event (event_id, environment, sequence, event_time, request_id, engineer,"
                    + " action, action_class, objects, statement, decision, succeeded, prev_hash, hash, received_at)"
                    + " VALUES ('" + EventIds.next() + "', 'sales', " + (i + 1) + ", " + ts + ", '" + requests[i]
                    + "', 'alice', 'DELETE', 'WRITE', '[]', 'DELETE FROM t" + i + "', 'DENIED', FALSE, '" + prev + "', '"
                    + hash + "', " + ts + ")");
            prev = hash;
        }
        // Stored before the upgrade, sealed after it: its span starts then.
        store.execute("INSERT INTO audit_event (event_id, environment, event_time, request_id, engineer, action,"
                + " action_class, objects, statement, decision, received_at) VALUES ('" + EventIds.next()
                + "', 'sales', " + ts + ", 'r4', 'alice', 'SELECT', 'READ', '[]', 'SELECT waiting', 'ALLOWED', " + ts + ")");
        store.execute("INSERT INTO audit_awaiting (event_id, environment, since) SELECT event_id, environment, received_at"
                + " FROM audit_event WHERE request_id = 'r4'");
        store.execute("INSERT INTO audit_chain_head (environment, last_sequence, last_hash) VALUES ('sales', 3, '" + prev + "')");

        store.migrate();
        assertThat(store.count("audit_request_span")).isEqualTo(2);
        assertThat(store.longQuery("SELECT first_sequence FROM audit_request_span WHERE request_id = 'r1'")).isEqualTo(1);
        assertThat(store.longQuery("SELECT last_sequence FROM audit_request_span WHERE request_id = 'r1'")).isEqualTo(3);

        JdbcAuditLog log = new JdbcAuditLog(store.ds, clock, grants, TIMEOUT);
        grants.approve("r4", "sales", "alice", true);
        assertThat(log.forRequest("r1", 0, 10)).extracting(AuditEvent::statement)
                .containsExactly("DELETE FROM t0", "DELETE FROM t2");
        assertThat(log.forRequest("r2", 0, 10)).extracting(AuditEvent::sequence).containsExactly(2L);

        AuditEventSubmission after = denied("r1", clock.instant(), "DROP TABLE after");
        log.ingest("alice", new AuditBatch("sales", List.of(after), List.of()));
        clock.advance(TIMEOUT);
        assertThat(log.sealOverdue(clock.instant())).isOne();
        assertThat(log.forRequest("r1", 0, 10)).extracting(AuditEvent::sequence).containsExactly(1L, 3L, 4L);
        assertThat(log.forRequest("r4", 0, 10)).extracting(AuditEvent::statement).containsExactly("SELECT waiting");
        assertThat(log.forRequest("r4", 0, 10)).extracting(AuditEvent::sequence).containsExactly(5L);
    }
}

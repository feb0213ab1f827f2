package dev.lockbox.server.audit;

import dev.lockbox.server.testing.MutableClock;
import static dev.lockbox.server.audit.AuditFixtures.T0;
import static dev.lockbox.server.audit.AuditFixtures.allowed;
import static dev.lockbox.server.audit.AuditFixtures.assertWholeChain;
import static dev.lockbox.server.audit.AuditFixtures.denied;
import static dev.lockbox.server.audit.AuditFixtures.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockbox.api.audit.AuditAck;
import dev.lockbox.api.audit.AuditBatch;
import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.audit.AuditEventSubmission;
import dev.lockbox.api.audit.AuditOutcome;
import dev.lockbox.server.http.ApiException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JdbcAuditLogIngestTest {
    private AuditStore store;
    private final MutableClock clock = new MutableClock(T0.plus(Duration.ofHours(1)));
    private final AuditFixtures.Grants grants = new AuditFixtures.Grants();
    private AuditLog log;

    @BeforeEach
    void open() {
        store = AuditStore.inMemory("ingest-" + UUID.randomUUID());
        grants.approve("r1", "sales", "alice", true);
        grants.approve("r2", "sales", "alice", false);
        grants.approve("r3", "hr", "bob", true);
        log = under(new JdbcAuditLog(store.ds, clock, grants, Duration.ofMinutes(5)));
    }

    @AfterEach
    void close() {
        if (store != null) store.close(); // null when the PostgreSQL run is skipped
    }

    /** The log under test built on {@code store}: the store's own here, {@link AuditIntakeJournal} in front of it in a subclass. */
    AuditLog under(JdbcAuditLog store) {
        return store;
    }

    /** Returns once everything acknowledged is in the store (at once here: nothing is acknowledged before). */
    void written() {}

    private Instant now() {
        return clock.instant();
    }

    @Test
    void identityComesFromTheGrantAndEveryColumnIsKept() {
        Instant at = Instant.parse("2025-03-01T09:59:59.123456789Z");
        AuditEventSubmission e = allowed("r1", at, "SELECT * FROM orders WHERE id = ?");
        AuditAck ack = log.ingest("alice", new AuditBatch("sales", List.of(e), List.of()));
        assertThat(ack).isEqualTo(new AuditAck(1, 0, 0));
        // Stored but not sealed: not served yet.
        written();
        assertThat(store.count("audit_event")).isEqualTo(1);
        assertThat(log.page("sales", 0, 100).events()).isEmpty();

        ack = log.ingest("alice", new AuditBatch("sales", List.of(), List.of(new AuditOutcome(e.eventId(), true, 3L, null, 2.5))));
        assertThat(ack).isEqualTo(new AuditAck(0, 0, 1));

        List<AuditEvent> events = log.page("sales", 0, 100).events();
        assertThat(events).hasSize(1);
        AuditEvent s = events.get(0);
        assertThat(s.sequence()).isEqualTo(1);
        assertThat(s.eventId()).isEqualTo(e.eventId());
        assertThat(s.eventTime()).isEqualTo(Instant.parse("2025-03-01T09:59:59.123456Z"));
        assertThat(s.environment()).isEqualTo("sales");
        assertThat(s.database()).isEqualTo("sales");
        assertThat(s.requestId()).isEqualTo("r1");
        assertThat(s.supportTicketId()).isEqualTo("TICKET-r1");
        assertThat(s.engineer()).isEqualTo("alice");
        assertThat(s.dbUser()).isEqualTo("lb_grant_1");
        assertThat(s.sessionId()).isEqualTo("session-1");
        assertThat(s.clientHost()).isEqualTo("laptop-7");
        assertThat(s.applicationName()).isEqualTo("DBeaver");
        assertThat(s.action()).isEqualTo("SELECT");
        assertThat(s.actionClass()).isEqualTo("READ");
        assertThat(s.objects()).containsExactly("public.orders");
        assertThat(s.statement()).isEqualTo("SELECT * FROM orders WHERE id = ?");
        assertThat(s.parameters()).isEqualTo("[1,\"x\"]");
        assertThat(s.decision()).isEqualTo("ALLOWED");
        assertThat(s.denyReason()).isNull();
        assertThat(s.succeeded()).isTrue();
        assertThat(s.rowsAffected()).isEqualTo(3L);
        assertThat(s.error()).isNull();
        assertThat(s.durationMs()).isEqualTo(2.5);
        assertWholeChain(events);
    }

    @Test
    void deniedEventsAreSealedAtOnceAndEventWithOutcomeInOneBatchToo() {
        AuditEventSubmission d = denied("r1", now(), "DELETE FROM orders");
        AuditEventSubmission a = allowed("r1", now(), "SELECT 1");
        AuditAck ack = log.ingest("alice", new AuditBatch("sales", List.of(d, a), List.of(ok(a, 1))));
        assertThat(ack).isEqualTo(new AuditAck(2, 0, 1));
        List<AuditEvent> events = log.page("sales", 0, 100).events();
        assertThat(events).extracting(AuditEvent::eventId).containsExactly(d.eventId(), a.eventId());
        assertThat(events.get(0).succeeded()).isFalse();
        assertThat(events.get(0).denyReason()).isEqualTo("read-only grant");
        assertThat(events.get(1).succeeded()).isTrue();
        assertWholeChain(events);
    }

    @Test
    void retriedBatchStoresNothingTwice() {
        List<AuditEventSubmission> events = new ArrayList<>();
        for (int i = 0; i < 20; i++) events.add(i % 4 == 0 ? denied("r1", now(), "DELETE " + i) : allowed("r1", now(), "SELECT " + i));
        AuditBatch batch = new AuditBatch("sales", events, List.of());
        assertThat(log.ingest("alice", batch)).isEqualTo(new AuditAck(20, 0, 0));
        assertThat(log.ingest("alice", batch)).isEqualTo(new AuditAck(0, 20, 0));

        List<AuditOutcome> outcomes = events.stream().filter(e -> e.denyReason() == null).map(e -> ok(e, 0)).toList();
        AuditBatch done = new AuditBatch("sales", events, outcomes);
        assertThat(log.ingest("alice", done)).isEqualTo(new AuditAck(0, 20, 15));
        // The same outcomes again are harmless: nothing applied, nothing resealed.
        assertThat(log.ingest("alice", done)).isEqualTo(new AuditAck(0, 20, 0));

        written();
        assertThat(store.count("audit_event")).isEqualTo(20);
        List<AuditEvent> sealed = log.page("sales", 0, 100).events();
        assertThat(sealed).hasSize(20);
        assertWholeChain(sealed);
        assertThat(store.longQuery("SELECT last_sequence FROM audit_chain_head WHERE environment = 'sales'")).isEqualTo(20);
    }

    @Test
    void sameEventTwiceInOneBatchIsOneEvent() {
        AuditEventSubmission e = allowed("r1", now(), "SELECT 1");
        AuditEventSubmission upper = new AuditEventSubmission(e.eventId().toUpperCase(), e.eventTime(), e.requestId(),
                e.database(), e.dbUser(), e.sessionId(), e.clientHost(), e.applicationName(), e.action(),
                e.actionClass(), e.objects(), e.statement(), e.parameters(), e.decision(), e.denyReason());
        AuditAck ack = log.ingest("alice", new AuditBatch("sales", List.of(e, upper), List.of(ok(e, 1), ok(e, 2))));
        assertThat(ack).isEqualTo(new AuditAck(1, 1, 1));
        List<AuditEvent> events = log.page("sales", 0, 10).events();
        assertThat(events).singleElement().satisfies(s -> assertThat(s.rowsAffected()).isEqualTo(1L));
    }

    @Test
    void parametersAreDroppedWhenTheEnvironmentDoesNotRecordThem() {
        AuditEventSubmission e = allowed("r2", now(), "SELECT * FROM payroll WHERE ssn = ?");
        log.ingest("alice", new AuditBatch("sales", List.of(e), List.of(ok(e, 1))));
        AuditEvent s = log.page("sales", 0, 10).events().get(0);
        assertThat(s.parameters()).isNull();
        assertThat(s.statement()).isEqualTo("SELECT * FROM payroll WHERE ssn = ?");
        assertThat(store.longQuery("SELECT COUNT(*) FROM audit_event WHERE parameters IS NOT NULL")).isZero();
    }

    @Test
    void outcomeOfAStatementStartedInTheWindowIsAcceptedAfterItEnds() {
        AuditEventSubmission e = allowed("r1", now(), "UPDATE orders SET x = 1");
        log.ingest("alice", new AuditBatch("sales", List.of(e), List.of()));
        clock.set(T0.plus(Duration.ofHours(8)).plusSeconds(1));
        // A retry of the stored event is still a duplicate, not a refusal.
        AuditAck ack = log.ingest("alice", new AuditBatch("sales", List.of(e), List.of(ok(e, 7))));
        assertThat(ack).isEqualTo(new AuditAck(0, 1, 1));
        assertThat(log.page("sales", 0, 10).events()).singleElement()
                .satisfies(s -> assertThat(s.rowsAffected()).isEqualTo(7L));
        // ... but a new event under the ended grant is refused.
        assertThatThrownBy(() -> log.ingest("alice", new AuditBatch("sales", List.of(allowed("r1", now(), "SELECT 2")), List.of())))
                .isInstanceOfSatisfying(ApiException.class, ex -> assertThat(ex.status()).isEqualTo(403));
    }

    @Test
    void chainsArePerEnvironment() {
        log.ingest("alice", new AuditBatch("sales", List.of(denied("r1", now(), "DROP TABLE a")), List.of()));
        log.ingest("bob", new AuditBatch("hr", List.of(denied("r3", now(), "DROP TABLE b")), List.of()));
        log.ingest("alice", new AuditBatch("sales", List.of(denied("r1", now(), "DROP TABLE c")), List.of()));
        assertThat(log.page("sales", 0, 10).events()).hasSize(2).satisfies(AuditFixtures::assertWholeChain);
        assertThat(log.page("hr", 0, 10).events()).hasSize(1).satisfies(AuditFixtures::assertWholeChain);
    }

    @Test
    void sessionEventsAreSealedAtOnceInTheSameChain() {
        Instant at = Instant.parse("2025-03-01T09:30:00.000001500Z");
        log.recordSessionEvent(new SessionEvent(AuditEvent.CONNECT, at, "sales", "alice", "r1", "TICKET-r1", "sales",
                "lb_grant_1", "session-1", "laptop-7", "DBeaver", null));
        log.ingest("alice", new AuditBatch("sales", List.of(denied("r1", now(), "DROP TABLE a")), List.of()));
        log.recordSessionEvent(new SessionEvent(AuditEvent.DISCONNECT, at.plusSeconds(60), "sales", "alice", "r1",
                "TICKET-r1", "sales", "lb_grant_1", "session-1", "laptop-7", "DBeaver", null));
        log.recordSessionEvent(new SessionEvent(AuditEvent.CONNECT_DENIED, at.plusSeconds(90), "sales", "mallory", null,
                null, "sales", null, null, "evil-host", "psql", "no approved request"));

        List<AuditEvent> events = log.page("sales", 0, 10).events();
        assertWholeChain(events);
        assertThat(events).extracting(AuditEvent::action)
                .containsExactly("CONNECT", "DELETE", "DISCONNECT", "CONNECT_DENIED");
        AuditEvent connect = events.get(0);
        assertThat(connect.eventTime()).isEqualTo(Instant.parse("2025-03-01T09:30:00.000001Z"));
        assertThat(connect.actionClass()).isEqualTo("MISC");
        assertThat(connect.decision()).isEqualTo("ALLOWED");
        assertThat(connect.succeeded()).isTrue();
        assertThat(connect.objects()).isEmpty();
        assertThat(connect.eventId()).matches("[0-9a-f-]{36}");
        AuditEvent refused = events.get(3);
        assertThat(refused.decision()).isEqualTo("DENIED");
        assertThat(refused.succeeded()).isFalse();
        assertThat(refused.denyReason()).isEqualTo("no approved request");
        assertThat(refused.engineer()).isEqualTo("mallory");
        assertThat(refused.requestId()).isNull();

        assertThatThrownBy(() -> log.recordSessionEvent(new SessionEvent("SELECT", at, "sales", "alice", "r1", null,
                null, null, null, null, null, null))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pagesFollowTheSequenceAndSayWhereToContinue() {
        List<AuditEventSubmission> events = new ArrayList<>();
        for (int i = 0; i < 25; i++) events.add(denied("r1", now(), "DROP TABLE t" + i));
        log.ingest("alice", new AuditBatch("sales", events, List.of()));

        List<AuditEvent> all = new ArrayList<>();
        long after = 0;
        while (true) {
            var page = log.page("sales", after, 10);
            if (page.events().isEmpty()) {
                assertThat(page.nextAfterSequence()).isEqualTo(after);
                break;
            }
            assertThat(page.events()).hasSizeLessThanOrEqualTo(10);
            assertThat(page.nextAfterSequence()).isEqualTo(page.events().get(page.events().size() - 1).sequence());
            all.addAll(page.events());
            after = page.nextAfterSequence();
        }
        assertThat(all).hasSize(25).extracting(AuditEvent::statement).startsWith("DROP TABLE t0", "DROP TABLE t1");
        assertWholeChain(all);
        assertThat(log.page("sales", 0, 1_000_000).events()).hasSize(25);
        assertThat(log.page("nowhere", 0, 10).events()).isEmpty();

        assertThatThrownBy(() -> log.page("sales", -1, 10)).isInstanceOfSatisfying(ApiException.class,
                ex -> assertThat(ex.getMessage()).startsWith("afterSequence"));
        assertThatThrownBy(() -> log.page("sales", 0, 0)).isInstanceOfSatisfying(ApiException.class,
                ex -> assertThat(ex.getMessage()).startsWith("limit"));
        assertThatThrownBy(() -> log.page(" ", 0, 10)).isInstanceOfSatisfying(ApiException.class,
                ex -> assertThat(ex.status()).isEqualTo(400));
    }

    @Test
    void forRequestServesOnlyThatRequestsSealedEvents() {
        AuditEventSubmission pending = allowed("r1", now(), "SELECT 1");
        AuditEventSubmission done = allowed("r1", now(), "SELECT 2");
        AuditEventSubmission other = denied("r2", now(), "DROP TABLE x");
        log.ingest("alice", new AuditBatch("sales", List.of(pending, done, other), List.of(ok(done, 1))));
        assertThat(log.forRequest("r1", 0, 100)).extracting(AuditEvent::eventId).containsExactly(done.eventId());
        assertThat(log.forRequest("r2", 0, 100)).extracting(AuditEvent::eventId).containsExactly(other.eventId());
        assertThat(log.forRequest("nope", 0, 100)).isEmpty();
        assertThatThrownBy(() -> log.forRequest(null, 0, 100)).isInstanceOf(ApiException.class);
    }

    @Test
    void forRequestServesEventsInSequenceOrderNotArrivalOrder() {
        // Stored first, sealed last: the (request_id) index returns rows in arrival order, the chain order must win.
        AuditEventSubmission first = allowed("r1", now(), "SELECT 1");
        AuditEventSubmission second = denied("r1", now(), "DROP TABLE x");
        log.ingest("alice", new AuditBatch("sales", List.of(first, second), List.of()));
        log.ingest("alice", new AuditBatch("sales", List.of(), List.of(ok(first, 1))));
        List<AuditEvent> events = log.forRequest("r1", 0, 100);
        assertThat(events).extracting(AuditEvent::eventId).containsExactly(second.eventId(), first.eventId());
        assertThat(events).extracting(AuditEvent::sequence).containsExactly(1L, 2L);
    }

    @Test
    void forRequestIsReadAPageAtATime() {
        List<AuditEventSubmission> mine = new ArrayList<>();
        for (int i = 0; i < 7; i++) mine.add(denied("r1", now(), "DROP TABLE t" + i));
        log.ingest("alice", new AuditBatch("sales", mine, List.of()));
        log.ingest("alice", new AuditBatch("sales", List.of(denied("r2", now(), "DROP TABLE other")), List.of()));

        List<AuditEvent> first = log.forRequest("r1", 0, 3);
        assertThat(first).extracting(AuditEvent::sequence).containsExactly(1L, 2L, 3L);
        List<AuditEvent> rest = log.forRequest("r1", 3, 10);
        assertThat(rest).extracting(AuditEvent::sequence).containsExactly(4L, 5L, 6L, 7L);
        assertThat(log.forRequest("r1", 7, 10)).isEmpty();
        assertThat(log.forRequest("r1", 0, 1_000_000)).hasSize(7); // capped at the largest page, not refused

        assertThatThrownBy(() -> log.forRequest("r1", -1, 10)).isInstanceOfSatisfying(ApiException.class,
                ex -> assertThat(ex.getMessage()).startsWith("afterSequence"));
        assertThatThrownBy(() -> log.forRequest("r1", 0, 0)).isInstanceOfSatisfying(ApiException.class,
                ex -> assertThat(ex.getMessage()).startsWith("limit"));
    }
}

package dev.lockbox.server.audit;

import dev.lockbox.server.testing.MutableClock;
import static dev.lockbox.server.audit.AuditFixtures.T0;
import static dev.lockbox.server.audit.AuditFixtures.allowed;
import static dev.lockbox.server.audit.AuditFixtures.assertWholeChain;
import static dev.lockbox.server.audit.AuditFixtures.denied;
import static dev.lockbox.server.audit.AuditFixtures.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lockbox.api.audit.AuditAck;
import dev.lockbox.api.audit.AuditBatch;
import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.audit.AuditEventSubmission;
import dev.lockbox.api.audit.AuditOutcome;
import dev.lockbox.server.http.ApiException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Batches that arrive while another batch is being written share the next transaction (group commit).
 * The chain head is held by another connection so that they queue for certain; then each batch must
 * get exactly the answer it would get alone: refused ones refused with nothing of theirs stored, the
 * others stored, a retry inside the group counted as a duplicate, and every chain whole. Groups are
 * striped by environment: {@code env9} shares the stripe of {@code sales} (String.hashCode mod 16),
 * {@code hr} does not and is written meanwhile.
 */
class JdbcAuditLogGroupCommitTest {
    private final MutableClock clock = new MutableClock(T0.plus(Duration.ofHours(1)));
    private final AuditFixtures.Grants grants = new AuditFixtures.Grants();
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final List<Thread> submitters = Collections.synchronizedList(new ArrayList<>());
    private AuditStore store;
    private JdbcAuditLog log;

    @BeforeEach
    void open() {
        store = AuditStore.inMemory("group-" + UUID.randomUUID());
        grants.approve("r1", "sales", "alice", true);
        grants.approve("bob-r", "sales", "bob", true);
        grants.approve("hr-r", "hr", "alice", true);
        grants.approve("env9-r", "env9", "alice", true);
        log = new JdbcAuditLog(store.ds, clock, grants, Duration.ofMinutes(5));
    }

    @AfterEach
    void close() {
        pool.shutdownNow();
        if (store != null) store.close(); // null when the PostgreSQL run is skipped
    }

    private Instant now() {
        return clock.instant();
    }

    private Future<AuditAck> send(String caller, AuditBatch batch) {
        return pool.submit(() -> {
            submitters.add(Thread.currentThread());
            return log.ingest(caller, batch);
        });
    }

    @Test
    void queuedBatchesAreWrittenTogetherAndEachGetsItsOwnAnswer() throws Exception {
        AuditEventSubmission bobs = allowed("bob-r", now(), "SELECT 'bob'");
        log.ingest("bob", new AuditBatch("sales", List.of(bobs, denied("bob-r", now(), "DROP TABLE bob")), List.of()));
        log.ingest("alice", new AuditBatch("hr", List.of(denied("hr-r", now(), "DROP TABLE pay")), List.of()));
        long eventsBefore = store.count("audit_event");

        Future<AuditAck> first;
        List<Future<AuditAck>> queued = new ArrayList<>();
        AuditEventSubmission retried = allowed("r1", now(), "SELECT 'retried'");
        AuditEventSubmission refusedWithForeignId = allowed("r1", now(), "SELECT 'refused 1'");
        AuditEventSubmission refusedWithUnknownOutcome = denied("r1", now(), "DELETE FROM refused2");
        AuditEventSubmission hr = allowed("hr-r", now(), "SELECT 'hr'");
        AuditEventSubmission env9 = allowed("env9-r", now(), "SELECT 'env9'");
        try (Connection blocker = store.ds.getConnection()) {
            // Hold the sales chain head: the first batch (it seals a DENIED event) waits for it inside its group.
            blocker.setAutoCommit(false);
            try (PreparedStatement ps = blocker.prepareStatement(
                    "SELECT last_sequence FROM audit_chain_head WHERE environment = 'sales' FOR UPDATE");
                    ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
            }
            first = send("alice", new AuditBatch("sales", List.of(denied("r1", now(), "DELETE FROM first")), List.of()));
            queued.add(send("alice", new AuditBatch("sales", List.of(retried), List.of(ok(retried, 1)))));
            queued.add(send("alice", new AuditBatch("sales",
                    List.of(refusedWithForeignId, new AuditEventSubmission(bobs.eventId(), now(), "r1", "sales",
                            "lb", "s", "h", "app", "SELECT", bobs.actionClass(), List.of(), "SELECT 1", null,
                            bobs.decision(), null)), List.of())));
            queued.add(send("alice", new AuditBatch("sales", List.of(retried), List.of(ok(retried, 1)))));
            queued.add(send("alice", new AuditBatch("sales", List.of(refusedWithUnknownOutcome),
                    List.of(new AuditOutcome(UUID.randomUUID().toString(), true, 1L, null, 1.0)))));
            queued.add(send("alice", new AuditBatch("env9", List.of(env9), List.of(ok(env9, 3)))));
            queued.add(send("bob", new AuditBatch("sales", List.of(), List.of(ok(bobs, 9)))));
            // All seven submitted; one is writing (blocked on the chain head), the six others queue behind it.
            awaitWaiting(queued.size());
            // Another stripe: written while the sales head is still held.
            assertThat(log.ingest("alice", new AuditBatch("hr", List.of(hr), List.of(ok(hr, 3)))))
                    .isEqualTo(new AuditAck(1, 0, 1));
            blocker.commit();
        }

        assertThat(first.get(60, TimeUnit.SECONDS)).isEqualTo(new AuditAck(1, 0, 0));
        AuditAck retry1 = queued.get(0).get(60, TimeUnit.SECONDS);
        AuditAck retry2 = queued.get(2).get(60, TimeUnit.SECONDS);
        // The same batch twice in one group: the first stores it, the second finds it stored.
        assertThat(List.of(retry1, retry2)).containsExactlyInAnyOrder(new AuditAck(1, 0, 1), new AuditAck(0, 1, 0));
        assertThat(refusal(queued.get(1)).status()).isEqualTo(403);
        assertThat(refusal(queued.get(3)).status()).isEqualTo(400);
        assertThat(queued.get(4).get(60, TimeUnit.SECONDS)).isEqualTo(new AuditAck(1, 0, 1));
        assertThat(queued.get(5).get(60, TimeUnit.SECONDS)).isEqualTo(new AuditAck(0, 0, 1));

        // first + retried + env9 + hr; nothing of the two refused batches.
        assertThat(store.count("audit_event")).isEqualTo(eventsBefore + 4);
        for (AuditEventSubmission refused : List.of(refusedWithForeignId, refusedWithUnknownOutcome)) {
            assertThat(store.longQuery("SELECT COUNT(*) FROM audit_event WHERE event_id = '" + refused.eventId() + "'"))
                    .isZero();
        }
        List<AuditEvent> sales = log.page("sales", 0, 100).events();
        assertWholeChain(sales);
        assertThat(sales).extracting(AuditEvent::statement)
                .containsExactlyInAnyOrder("DROP TABLE bob", "SELECT 'bob'", "DELETE FROM first", "SELECT 'retried'");
        assertThat(sales).filteredOn(e -> e.eventId().equals(bobs.eventId())).singleElement()
                .satisfies(e -> assertThat(e.rowsAffected()).isEqualTo(9L));
        List<AuditEvent> hrChain = log.page("hr", 0, 100).events();
        assertWholeChain(hrChain);
        assertThat(hrChain).extracting(AuditEvent::statement).containsExactly("DROP TABLE pay", "SELECT 'hr'");
        List<AuditEvent> env9Chain = log.page("env9", 0, 100).events();
        assertWholeChain(env9Chain);
        assertThat(env9Chain).extracting(AuditEvent::statement).containsExactly("SELECT 'env9'");
    }

    private static ApiException refusal(Future<AuditAck> f) throws InterruptedException {
        try {
            AuditAck ack = f.get(60, TimeUnit.SECONDS);
            throw new AssertionError("expected a refusal, got " + ack);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(ApiException.class);
            return (ApiException) e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("no answer", e);
        }
    }

    /** Waits until {@code n} submitters wait for the group writer (an untimed Object.wait). */
    private void awaitWaiting(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            long waiting;
            synchronized (submitters) {
                waiting = submitters.stream().filter(t -> t.getState() == Thread.State.WAITING).count();
            }
            if (waiting == n && submitters.size() > n) return;
            if (System.nanoTime() > deadline) throw new AssertionError(waiting + " of " + n + " submitters queued");
            Thread.sleep(5);
        }
    }
}

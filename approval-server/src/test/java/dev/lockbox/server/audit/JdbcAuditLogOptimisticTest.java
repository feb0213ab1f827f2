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
import java.nio.file.Path;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batches whose outcomes all name events of the same batch are inserted without reading their ids
 * first; a stored id (a retry, someone else's event, the other replica's insert) shows up as a
 * duplicate key, and the group is then written again the careful way. Each must end exactly as
 * without the shortcut.
 */
class JdbcAuditLogOptimisticTest {
    private final MutableClock clock = new MutableClock(T0.plus(Duration.ofHours(1)));
    private final AuditFixtures.Grants grants = new AuditFixtures.Grants();
    private AuditStore store;
    private JdbcAuditLog log;

    @BeforeEach
    void open() {
        store = AuditStore.inMemory("optimistic-" + UUID.randomUUID());
        grants.approve("r1", "sales", "alice", true);
        grants.approve("bob-r", "sales", "bob", true);
        log = new JdbcAuditLog(store.ds, clock, grants, Duration.ofMinutes(5));
    }

    @AfterEach
    void close() {
        if (store != null) store.close(); // null when the PostgreSQL run is skipped
    }

    private Instant now() {
        return clock.instant();
    }

    /** Events with their own outcomes (the async driver): one waiting, one sealed with its outcome, one DENIED. */
    private AuditBatch selfContained(String requestId) {
        AuditEventSubmission waiting = allowed(requestId, now(), "SELECT 'waiting'");
        AuditEventSubmission done = allowed(requestId, now(), "SELECT 'done'");
        return new AuditBatch("sales", List.of(waiting, done, denied(requestId, now(), "DROP TABLE t")),
                List.of(ok(done, 2)));
    }

    private List<AuditEvent> chain() {
        return log.page("sales", 0, 1_000).events();
    }

    @Test
    void freshBatchesAreWrittenWithoutFallingBackAndSealLikeTheCarefulWay() {
        AuditAck first = log.ingest("alice", selfContained("r1"));
        AuditAck second = log.ingest("bob", selfContained("bob-r"));

        assertThat(first).isEqualTo(new AuditAck(3, 0, 1));
        assertThat(second).isEqualTo(new AuditAck(3, 0, 1));
        assertThat(log.optimismRefuted()).isZero();
        assertThat(store.count("audit_event")).isEqualTo(6);
        assertThat(store.count("audit_awaiting")).isEqualTo(2);
        List<AuditEvent> chain = chain();
        assertThat(chain).hasSize(4);
        assertWholeChain(chain);
        assertThat(chain).filteredOn(e -> e.statement().equals("SELECT 'done'"))
                .allSatisfy(e -> assertThat(e.succeeded()).isTrue())
                .allSatisfy(e -> assertThat(e.rowsAffected()).isEqualTo(2L));
        assertThat(chain).filteredOn(e -> e.decision().equals("DENIED"))
                .allSatisfy(e -> assertThat(e.succeeded()).isFalse());
    }

    @Test
    void aRetriedBatchFallsBackAndCountsItsEventsAsDuplicates() {
        AuditBatch batch = selfContained("r1");
        log.ingest("alice", batch);
        List<AuditEvent> before = chain();

        assertThat(log.ingest("alice", batch)).isEqualTo(new AuditAck(0, 3, 0));

        assertThat(log.optimismRefuted()).isEqualTo(1);
        assertThat(store.count("audit_event")).isEqualTo(3);
        assertThat(chain()).isEqualTo(before);
    }

    @Test
    void aBatchWithOneStoredEventStoresTheOthersAndAppliesTheStoredOnesOutcome() {
        AuditEventSubmission stored = allowed("r1", now(), "SELECT 'stored'");
        log.ingest("alice", new AuditBatch("sales", List.of(stored), List.of()));
        AuditEventSubmission fresh = denied("r1", now(), "DELETE FROM t");

        // Resent with its outcome this time, beside a new event: no outcome names an earlier batch's
        // event as far as this batch can tell, so it is tried optimistically and falls back.
        AuditAck ack = log.ingest("alice", new AuditBatch("sales", List.of(stored, fresh), List.of(ok(stored, 4))));

        assertThat(ack).isEqualTo(new AuditAck(1, 1, 1));
        assertThat(log.optimismRefuted()).isEqualTo(1);
        assertThat(store.count("audit_awaiting")).isZero();
        List<AuditEvent> chain = chain();
        assertWholeChain(chain);
        assertThat(chain).extracting(AuditEvent::statement).containsExactly("SELECT 'stored'", "DELETE FROM t");
        assertThat(chain.get(0).rowsAffected()).isEqualTo(4L);
    }

    @Test
    void someoneElsesEventIdIsRefusedAndChangesNothing() {
        AuditEventSubmission bobs = denied("bob-r", now(), "DROP TABLE bob");
        log.ingest("bob", new AuditBatch("sales", List.of(bobs), List.of()));
        List<AuditEvent> before = chain();
        long rows = store.count("audit_event");
        AuditEventSubmission mine = allowed("r1", now(), "SELECT 'mine'");
        AuditEventSubmission bobsIdAsMine = new AuditEventSubmission(bobs.eventId(), now(), "r1", "sales", "lb", "s",
                "h", "app", "SELECT", mine.actionClass(), List.of(), "SELECT 1", null, mine.decision(), null);

        assertThatThrownBy(() -> log.ingest("alice",
                new AuditBatch("sales", List.of(mine, bobsIdAsMine), List.of(ok(mine, 1), ok(bobsIdAsMine, 1)))))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(403));

        assertThat(log.optimismRefuted()).isEqualTo(1);
        assertThat(store.count("audit_event")).isEqualTo(rows);
        assertThat(chain()).isEqualTo(before);
        // The chain head was not moved by the rolled-back attempt: the next event follows on.
        log.ingest("alice", selfContained("r1"));
        assertWholeChain(chain());
    }

    @Test
    void aDuplicateKeyIsFoundInsideABatchUpdateException() {
        SQLException duplicate = new SQLException("Unique index or primary key violation", "23505");
        BatchUpdateException batch = new BatchUpdateException("batch entry 3 failed", "23000", 0, new int[0], duplicate);
        SQLException chained = new SQLException("batch failed", "HY000");
        chained.setNextException(new SQLException("Unique index or primary key violation", "23505"));

        assertThat(JdbcAuditLog.isDuplicateKey(duplicate)).isTrue();
        assertThat(JdbcAuditLog.isDuplicateKey(batch)).isTrue();
        assertThat(JdbcAuditLog.isDuplicateKey(chained)).isTrue();
        assertThat(JdbcAuditLog.isDuplicateKey(new SQLException("lock timeout", "HYT00"))).isFalse();
    }

    /** Two replicas on one database receive the same self-contained batches at once: each event is stored once. */
    @Test
    void twoReplicasRacingWithTheSameBatchesStoreEachEventOnce(@TempDir Path dir) throws Exception {
        Server tcp = Server.createTcpServer("-tcpPort", "0", "-baseDir", dir.toString(), "-ifNotExists").start();
        String url = "jdbc:h2:tcp://127.0.0.1:" + tcp.getPort() + "/optimistic-replicas";
        String name = "optimistic-replicas-" + UUID.randomUUID();
        AuditStore pgA = AuditStore.postgresReplica(name, 4);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (AuditStore a = pgA != null ? pgA : AuditStore.open(url, 4);
                AuditStore b = pgA != null ? AuditStore.postgresReplica(name, 4) : AuditStore.open(url, 4)) {
            JdbcAuditLog replicaA = new JdbcAuditLog(a.ds, clock, grants, Duration.ofMinutes(5));
            JdbcAuditLog replicaB = new JdbcAuditLog(b.ds, clock, grants, Duration.ofMinutes(5));
            List<List<AuditBatch>> streams = List.of(new ArrayList<>(), new ArrayList<>());
            String[][] senders = {{"alice", "r1"}, {"bob", "bob-r"}};
            for (int k = 0; k < 40; k++) {
                for (int s = 0; s < 2; s++) streams.get(s).add(selfContained(senders[s][1]));
            }
            CountDownLatch start = new CountDownLatch(1);
            AtomicInteger stored = new AtomicInteger();
            AtomicInteger duplicates = new AtomicInteger();
            AtomicInteger applied = new AtomicInteger();
            List<Future<?>> workers = new ArrayList<>();
            for (int s = 0; s < 2; s++) {
                for (JdbcAuditLog replica : List.of(replicaA, replicaB)) {
                    List<AuditBatch> batches = streams.get(s);
                    String caller = senders[s][0];
                    workers.add(pool.submit(() -> {
                        start.await();
                        for (AuditBatch batch : batches) {
                            AuditAck ack = replica.ingest(caller, batch);
                            stored.addAndGet(ack.stored());
                            duplicates.addAndGet(ack.duplicates());
                            applied.addAndGet(ack.outcomesApplied());
                        }
                        return null;
                    }));
                }
            }
            start.countDown();
            for (Future<?> w : workers) w.get(3, TimeUnit.MINUTES);

            int unique = 2 * 40 * 3;
            assertThat(stored.get()).isEqualTo(unique);
            assertThat(duplicates.get()).isEqualTo(unique);
            assertThat(applied.get()).isEqualTo(2 * 40);
            // Every batch was tried optimistically by both replicas and stored by one: the other fell back.
            assertThat(replicaA.optimismRefuted() + replicaB.optimismRefuted()).isPositive();
            assertThat(a.count("audit_event")).isEqualTo(unique);
            assertThat(a.count("audit_awaiting")).isEqualTo(2 * 40);
            List<AuditEvent> chain = new ArrayList<>();
            long after = 0;
            for (var page = replicaA.page("sales", 0, 50); !page.events().isEmpty(); page = replicaB.page("sales", after, 50)) {
                chain.addAll(page.events());
                after = page.nextAfterSequence();
            }
            assertThat(chain).hasSize(2 * 40 * 2);
            assertWholeChain(chain);
            Set<String> seen = new HashSet<>();
            chain.forEach(e -> assertThat(seen.add(e.eventId())).as("sealed once: %s", e.eventId()).isTrue());
        } finally {
            pool.shutdownNow();
            tcp.stop();
        }
    }

    /** An outcome of an earlier batch's event needs that event read: such batches take the careful way at once. */
    @Test
    void anOutcomeOfAnEarlierBatchTakesTheCarefulWayWithoutAnAttempt() {
        AuditEventSubmission earlier = allowed("r1", now(), "SELECT 'earlier'");
        log.ingest("alice", new AuditBatch("sales", List.of(earlier), List.of()));

        AuditAck ack = log.ingest("alice", new AuditBatch("sales", List.of(denied("r1", now(), "DELETE FROM t")),
                List.of(new AuditOutcome(earlier.eventId(), true, 1L, null, 2.0))));

        assertThat(ack).isEqualTo(new AuditAck(1, 0, 1));
        assertThat(log.optimismRefuted()).isZero();
        assertWholeChain(chain());
        assertThat(chain()).hasSize(2);
    }
}

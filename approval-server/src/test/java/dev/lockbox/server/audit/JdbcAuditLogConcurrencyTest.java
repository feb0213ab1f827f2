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
import java.nio.file.Path;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.tools.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two JdbcAuditLog instances with their own connection pools on one H2 database over TCP stand for
 * two server replicas. Both receive the same batches at the same time (a driver retrying against
 * the other replica), while a scheduler seals overdue events; each chain must come out whole.
 */
class JdbcAuditLogConcurrencyTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private static final int BATCHES = 30;
    private static final int EVENTS_PER_BATCH = 20;

    private final MutableClock clock = new MutableClock(T0.plus(Duration.ofHours(1)));
    private final AuditFixtures.Grants grants = new AuditFixtures.Grants();

    /** One engineer's stream: batch k holds new events and the deferred outcomes of batch k-1. */
    private List<AuditBatch> stream(String environment, String requestId) {
        List<AuditBatch> batches = new ArrayList<>();
        List<AuditOutcome> deferred = new ArrayList<>();
        Instant at = clock.instant();
        for (int b = 0; b < BATCHES; b++) {
            List<AuditEventSubmission> events = new ArrayList<>();
            List<AuditOutcome> outcomes = new ArrayList<>(deferred);
            deferred = new ArrayList<>();
            for (int i = 0; i < EVENTS_PER_BATCH; i++) {
                AuditEventSubmission e = switch (i % 4) {
                    case 0 -> denied(requestId, at, "DELETE FROM t WHERE id = " + i);
                    default -> allowed(requestId, at, "SELECT " + b + ", " + i);
                };
                events.add(e);
                if (i % 4 == 1) outcomes.add(ok(e, i));
                if (i % 4 == 2) deferred.add(ok(e, i));
                // i % 4 == 3: the outcome never comes (the client crashed); the scheduler seals it.
            }
            batches.add(new AuditBatch(environment, events, outcomes));
        }
        return batches;
    }

    @Test
    void twoReplicasAndManyThreadsKeepEveryChainGapFreeAndIntact(@TempDir Path dir) throws Exception {
        Server tcp = Server.createTcpServer("-tcpPort", "0", "-baseDir", dir.toString(), "-ifNotExists").start();
        String url = "jdbc:h2:tcp://127.0.0.1:" + tcp.getPort() + "/replicas";
        ExecutorService pool = Executors.newFixedThreadPool(9);
        // With -Dlockbox.audit.postgresUrl=... both replicas share one PostgreSQL schema instead.
        String name = "replicas-" + UUID.randomUUID();
        AuditStore pgA = AuditStore.postgresReplica(name, 4);
        try (AuditStore a = pgA != null ? pgA : AuditStore.open(url, 4);
                AuditStore b = pgA != null ? AuditStore.postgresReplica(name, 4) : AuditStore.open(url, 4)) {
            JdbcAuditLog replicaA = new JdbcAuditLog(a.ds, clock, grants, TIMEOUT);
            JdbcAuditLog replicaB = new JdbcAuditLog(b.ds, clock, grants, TIMEOUT);
            List<String> environments = List.of("sales", "hr");
            List<List<AuditBatch>> streams = new ArrayList<>();
            List<String> callers = new ArrayList<>();
            for (String env : environments) {
                for (int p = 0; p < 2; p++) {
                    String engineer = env + "-engineer-" + p;
                    grants.approve(env + "-r" + p, env, engineer, true);
                    streams.add(stream(env, env + "-r" + p));
                    callers.add(engineer);
                }
            }
            CountDownLatch start = new CountDownLatch(1);
            AtomicInteger stored = new AtomicInteger();
            AtomicInteger duplicates = new AtomicInteger();
            List<Future<?>> workers = new ArrayList<>();
            for (int s = 0; s < streams.size(); s++) {
                for (JdbcAuditLog replica : List.of(replicaA, replicaB)) {
                    List<AuditBatch> batches = streams.get(s);
                    String caller = callers.get(s);
                    workers.add(pool.submit(() -> {
                        start.await();
                        for (AuditBatch batch : batches) {
                            AuditAck ack = replica.ingest(caller, batch);
                            stored.addAndGet(ack.stored());
                            duplicates.addAndGet(ack.duplicates());
                        }
                        return null;
                    }));
                }
            }
            AtomicBoolean done = new AtomicBoolean();
            AtomicInteger sealedByScheduler = new AtomicInteger();
            Future<?> scheduler = pool.submit(() -> {
                start.await();
                while (!done.get()) sealedByScheduler.addAndGet(replicaB.sealOverdue(clock.instant().plus(TIMEOUT)));
                return null;
            });
            start.countDown();
            for (Future<?> w : workers) w.get(3, TimeUnit.MINUTES);
            done.set(true);
            scheduler.get(1, TimeUnit.MINUTES);
            sealedByScheduler.addAndGet(replicaA.sealOverdue(clock.instant().plus(TIMEOUT)));

            int unique = streams.size() * BATCHES * EVENTS_PER_BATCH;
            assertThat(stored.get()).isEqualTo(unique);
            assertThat(duplicates.get()).isEqualTo(unique);
            assertThat(a.count("audit_event")).isEqualTo(unique);
            assertThat(sealedByScheduler.get()).isGreaterThanOrEqualTo(unique / 4);

            Set<String> seen = new HashSet<>();
            for (String env : environments) {
                List<AuditEvent> chain = new ArrayList<>();
                long after = 0;
                for (var page = replicaA.page(env, 0, 333); !page.events().isEmpty(); page = replicaB.page(env, after, 333)) {
                    chain.addAll(page.events());
                    after = page.nextAfterSequence();
                }
                assertThat(chain).hasSize(unique / 2);
                assertWholeChain(chain);
                chain.forEach(e -> assertThat(seen.add(e.eventId())).as("sealed once: %s", e.eventId()).isTrue());
                assertThat(a.longQuery("SELECT last_sequence FROM audit_chain_head WHERE environment = '" + env + "'"))
                        .isEqualTo(unique / 2);
                // Outcomes that lost the race against the scheduler are kept aside, never in the sealed row.
                for (AuditEvent e : chain) {
                    if (e.decision().equals("DENIED")) assertThat(e.succeeded()).isFalse();
                    if (e.statement().startsWith("SELECT") && e.succeeded() != null) assertThat(e.rowsAffected()).isNotNull();
                }
            }
            assertThat(b.longQuery("SELECT COUNT(*) FROM audit_late_outcome l JOIN audit_event e ON e.event_id = l.event_id"
                    + " WHERE e.succeeded IS NOT NULL")).isZero();
        } finally {
            pool.shutdownNow();
            tcp.stop();
        }
    }
}

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
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JdbcAuditLogSealingTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private AuditStore store;
    private final MutableClock clock = new MutableClock(T0.plus(Duration.ofHours(1)));
    private final AuditFixtures.Grants grants = new AuditFixtures.Grants();
    private JdbcAuditLog log;

    @BeforeEach
    void open() {
        store = AuditStore.inMemory("sealing-" + UUID.randomUUID());
        grants.approve("r1", "sales", "alice", true);
        log = new JdbcAuditLog(store.ds, clock, grants, TIMEOUT);
    }

    @AfterEach
    void close() {
        if (store != null) store.close(); // null when the PostgreSQL run is skipped
    }

    @Test
    void eventsWithoutOutcomeAreSealedWithSucceededNullOnlyAfterTheTimeout() {
        AuditEventSubmission first = allowed("r1", clock.instant(), "UPDATE orders SET a = 1");
        log.ingest("alice", new AuditBatch("sales", List.of(first), List.of()));
        clock.advance(Duration.ofMinutes(2));
        AuditEventSubmission second = allowed("r1", clock.instant(), "UPDATE orders SET a = 2");
        log.ingest("alice", new AuditBatch("sales", List.of(second), List.of()));

        assertThat(log.sealOverdue(clock.instant())).isZero();
        assertThat(log.sealOverdue(clock.instant().plus(TIMEOUT).minusMillis(2 * 60_000 + 1))).isZero();
        // Exactly at the first event's deadline: only the first is due.
        assertThat(log.sealOverdue(clock.instant().plus(TIMEOUT).minus(Duration.ofMinutes(2)))).isEqualTo(1);
        List<AuditEvent> events = log.page("sales", 0, 10).events();
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.eventId()).isEqualTo(first.eventId());
            assertThat(e.succeeded()).isNull();
            assertThat(e.rowsAffected()).isNull();
            assertThat(e.durationMs()).isNull();
        });
        assertThat(log.sealOverdue(clock.instant().plus(TIMEOUT))).isEqualTo(1);
        assertThat(log.sealOverdue(clock.instant().plus(TIMEOUT))).isZero();
        events = log.page("sales", 0, 10).events();
        assertThat(events).extracting(AuditEvent::eventId).containsExactly(first.eventId(), second.eventId());
        assertWholeChain(events);
        assertThat(store.longQuery("SELECT COUNT(*) FROM audit_awaiting")).isZero();
    }

    @Test
    void lateOutcomeIsKeptAsideAndTheSealedRowIsNotAltered() {
        AuditEventSubmission e = allowed("r1", clock.instant(), "DELETE FROM orders WHERE id = 1");
        log.ingest("alice", new AuditBatch("sales", List.of(e), List.of()));
        clock.advance(TIMEOUT);
        assertThat(log.sealOverdue(clock.instant())).isEqualTo(1);
        AuditEvent sealed = log.page("sales", 0, 10).events().get(0);

        AuditOutcome late = new AuditOutcome(e.eventId(), false, null, "connection reset", 301_000.5);
        assertThat(log.ingest("alice", new AuditBatch("sales", List.of(), List.of(late)))).isEqualTo(new AuditAck(0, 0, 0));
        assertThat(log.ingest("alice", new AuditBatch("sales", List.of(), List.of(late)))).isEqualTo(new AuditAck(0, 0, 0));

        assertThat(log.page("sales", 0, 10).events()).containsExactly(sealed);
        assertThat(store.count("audit_late_outcome")).isEqualTo(1);
        assertThat(store.longQuery("SELECT COUNT(*) FROM audit_late_outcome WHERE succeeded = FALSE"
                + " AND error = 'connection reset' AND duration_ms = 301000.5 AND rows_affected IS NULL")).isEqualTo(1);
    }

    @Test
    void outcomeBeforeTheTimeoutWinsAndTheSchedulerLeavesItAlone() {
        List<AuditEventSubmission> events = new ArrayList<>();
        for (int i = 0; i < 30; i++) events.add(allowed("r1", clock.instant(), "SELECT " + i));
        log.ingest("alice", new AuditBatch("sales", events, List.of()));
        log.ingest("alice", new AuditBatch("sales", List.of(denied("r1", clock.instant(), "DROP TABLE t")),
                events.subList(0, 10).stream().map(e -> ok(e, 1)).toList()));
        assertThat(log.sealOverdue(clock.instant().plus(TIMEOUT))).isEqualTo(20);
        List<AuditEvent> sealed = log.page("sales", 0, 100).events();
        assertThat(sealed).hasSize(31);
        assertThat(sealed).filteredOn(ev -> Boolean.TRUE.equals(ev.succeeded())).hasSize(10);
        assertThat(sealed).filteredOn(ev -> ev.succeeded() == null).hasSize(20);
        assertWholeChain(sealed);
    }

    @Test
    void everythingAcknowledgedSurvivesClosingAndReopeningAFileStore(@TempDir Path dir) {
        String url = "jdbc:h2:file:" + dir.resolve("lockbox").toAbsolutePath();
        List<AuditEvent> before;
        AuditEventSubmission pending = allowed("r1", clock.instant(), "UPDATE orders SET a = 3");
        try (AuditStore file = AuditStore.open(url, 4)) {
            JdbcAuditLog first = new JdbcAuditLog(file.ds, clock, grants, TIMEOUT);
            List<AuditEventSubmission> events = new ArrayList<>();
            for (int i = 0; i < 50; i++) events.add(i % 2 == 0 ? denied("r1", clock.instant(), "DROP " + i) : allowed("r1", clock.instant(), "SELECT " + i));
            first.ingest("alice", new AuditBatch("sales", events, events.stream().filter(e -> e.denyReason() == null).map(e -> ok(e, 2)).toList()));
            first.ingest("alice", new AuditBatch("sales", List.of(pending), List.of()));
            before = first.page("sales", 0, 1000).events();
        }
        try (AuditStore file = AuditStore.open(url, 4)) {
            JdbcAuditLog second = new JdbcAuditLog(file.ds, clock, grants, TIMEOUT);
            assertThat(second.page("sales", 0, 1000).events()).isEqualTo(before);
            // The unsealed event was durable too: its outcome completes it, and the chain continues.
            assertThat(second.ingest("alice", new AuditBatch("sales", List.of(pending), List.of(ok(pending, 9)))))
                    .isEqualTo(new AuditAck(0, 1, 1));
            List<AuditEvent> after = second.page("sales", 0, 1000).events();
            assertThat(after).hasSize(51).startsWith(before.toArray(AuditEvent[]::new));
            assertWholeChain(after);
        }
    }
}

package dev.lockbox.server.audit;

import static dev.lockbox.server.audit.AuditFixtures.T0;
import static dev.lockbox.server.audit.AuditFixtures.allowed;
import static dev.lockbox.server.audit.AuditFixtures.assertWholeChain;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lockbox.api.audit.AuditBatch;
import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.audit.AuditEventSubmission;
import dev.lockbox.api.audit.AuditOutcome;
import dev.lockbox.api.audit.EventIds;
import dev.lockbox.server.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * V102 moves events that wait for an outcome from a column of {@code audit_event} into
 * {@code audit_awaiting}: a store upgraded with events still waiting must seal them as before, and
 * an upgraded store keeps only the waiting events in the new table.
 */
class AuditAwaitingMigrationTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private final MutableClock clock = new MutableClock(T0.plus(Duration.ofHours(1)));
    private final AuditFixtures.Grants grants = new AuditFixtures.Grants();
    private AuditStore store;

    @AfterEach
    void close() {
        if (store != null) store.close();
    }

    @Test
    void eventsWaitingBeforeTheUpgradeAreSealedWhenOverdue() {
        store = AuditStore.inMemory("v102-" + UUID.randomUUID(), "101");
        Instant since = clock.instant();
        String waiting = EventIds.next();
        String ts = "TIMESTAMP WITH TIME ZONE '" + since.toString().replace('T', ' ').replace("Z", "+00") + "'";
        store.execute("INSERT INTO audit_event (event_id, environment, event_time, request_id, engineer, action,"
                + " action_class, objects, statement, decision, received_at, awaiting_outcome_since) VALUES ('"
                + waiting + "', 'sales', " + ts + ", 'r1', 'alice', 'UPDATE', 'WRITE', '[\"orders\"]',"
                + " 'UPDATE orders SET a = 1', 'ALLOWED', " + ts + ", " + ts + ")");

        store.migrate();
        assertThat(store.longQuery("SELECT COUNT(*) FROM audit_awaiting WHERE event_id = '" + waiting + "'")).isOne();

        grants.approve("r1", "sales", "alice", true);
        JdbcAuditLog log = new JdbcAuditLog(store.ds, clock, grants, TIMEOUT);
        assertThat(log.sealOverdue(since.plus(TIMEOUT).minusMillis(1))).isZero();
        assertThat(log.sealOverdue(since.plus(TIMEOUT))).isOne();
        List<AuditEvent> events = log.page("sales", 0, 10).events();
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.eventId()).isEqualTo(waiting);
            assertThat(e.sequence()).isEqualTo(1);
            assertThat(e.succeeded()).isNull();
            assertThat(e.statement()).isEqualTo("UPDATE orders SET a = 1");
        });
        assertWholeChain(events);
        assertThat(store.count("audit_awaiting")).isZero();
    }

    @Test
    void onlyEventsWithoutTheirOutcomeAreListedAsWaiting() {
        store = AuditStore.inMemory("v102-" + UUID.randomUUID());
        grants.approve("r1", "sales", "alice", true);
        JdbcAuditLog log = new JdbcAuditLog(store.ds, clock, grants, TIMEOUT);
        AuditEventSubmission open = allowed("r1", clock.instant(), "UPDATE orders SET a = 1");
        AuditEventSubmission done = allowed("r1", clock.instant(), "UPDATE orders SET a = 2");
        log.ingest("alice", new AuditBatch("sales", List.of(open, done),
                List.of(new AuditOutcome(done.eventId(), true, 1L, null, 0.5))));
        assertThat(store.longQuery("SELECT COUNT(*) FROM audit_awaiting WHERE event_id = '" + open.eventId() + "'")).isOne();
        assertThat(store.count("audit_awaiting")).isOne();

        log.ingest("alice", new AuditBatch("sales", List.of(), List.of(new AuditOutcome(open.eventId(), true, 1L, null, 0.7))));
        assertThat(store.count("audit_awaiting")).isZero();
        assertThat(log.page("sales", 0, 10).events()).extracting(AuditEvent::eventId)
                .containsExactly(done.eventId(), open.eventId());
    }
}

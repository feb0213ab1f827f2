package dev.lockbox.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.audit.EventIds;
import dev.lockbox.server.testing.TestStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Both ways of {@link RowLocking} hold a row until the locking transaction ends, and a second
 * transaction waiting for it then reads the row as the first one committed it: the property the
 * chain head and the sealing of events rely on. Run on H2 and, in the PostgreSQL run, on PostgreSQL.
 */
class RowLockingTest {
    private static final String ENV = "sales";
    /** How long a transaction that should be waiting is given to (wrongly) get through. */
    private static final long BLOCKED_MS = 300;

    private final ExecutorService other = Executors.newSingleThreadExecutor();
    private final AuditEventRows rows = new AuditEventRows();
    private AuditStore store;

    @AfterEach
    void close() {
        other.shutdownNow();
        if (store != null) store.close();
    }

    @Test
    void eachDatabaseGetsItsWay() throws SQLException {
        store = AuditStore.inMemory("row-locking-way");
        try (Connection c = store.ds.getConnection()) {
            assertThat(RowLocking.of(c)).isEqualTo(TestStore.onPostgres() ? RowLocking.SELECT_FOR_UPDATE : RowLocking.UPDATE_FIRST);
        }
    }

    @ParameterizedTest
    @EnumSource(RowLocking.class)
    void aLockedChainHeadWaitsForItsHolderAndThenReadsWhatItCommitted(RowLocking way) throws Exception {
        store = AuditStore.inMemory("row-locking-head-" + way.name().toLowerCase());
        inTransaction(c -> ChainHead.lock(c, ENV, way)); // the head exists, at GENESIS

        try (Connection holder = begin()) {
            ChainHead head = ChainHead.lock(holder, ENV, way);
            AuditEvent first = head.append(event(null));
            rows.insert(holder, List.of(first), Instant.now());
            head.save(holder);

            CompletableFuture<Long> next = CompletableFuture.supplyAsync(() -> inTransaction(
                    c -> ChainHead.lock(c, ENV, way).append(event(null)).sequence()), other);
            Thread.sleep(BLOCKED_MS);
            assertThat(next).as("the second transaction waits for the head's lock").isNotDone();

            holder.commit();
            assertThat(next.get(30, TimeUnit.SECONDS)).as("the waiter continues the committed chain").isEqualTo(first.sequence() + 1);
        }
    }

    @ParameterizedTest
    @EnumSource(RowLocking.class)
    void aLockedEventWaitsForItsHolderAndThenReadsItSealed(RowLocking way) throws Exception {
        assertEventLockWaits(way, List.of());
    }

    /** Above {@link AuditEventRows#UPDATE_FIRST_MAX_IDS} ids H2 takes {@code SELECT ... FOR UPDATE}, which must lock as well. */
    @ParameterizedTest
    @EnumSource(RowLocking.class)
    void manyIdsAtOnceAreLockedToo(RowLocking way) throws Exception {
        List<String> others = new ArrayList<>();
        for (int i = 0; i < AuditEventRows.UPDATE_FIRST_MAX_IDS; i++) others.add(EventIds.next());
        assertEventLockWaits(way, others);
    }

    /** {@code alsoNamed}: ids not stored, named in both transactions' lock calls along with the stored event. */
    private void assertEventLockWaits(RowLocking way, List<String> alsoNamed) throws Exception {
        store = AuditStore.inMemory("row-locking-event-" + way.name().toLowerCase() + "-" + alsoNamed.size());
        AuditEvent waiting = event(null);
        List<String> ids = new ArrayList<>(alsoNamed);
        ids.add(waiting.eventId());
        inTransaction(c -> {
            rows.insert(c, List.of(waiting), Instant.now());
            return null;
        });

        try (Connection holder = begin()) {
            Map<String, AuditEventRows.Stored> locked = rows.lockExisting(holder, ids, way);
            assertThat(locked.get(waiting.eventId()).sealed()).isFalse();
            ChainHead head = ChainHead.lock(holder, ENV, way);
            rows.seal(holder, List.of(head.append(withOutcome(waiting))));
            head.save(holder);

            CompletableFuture<Map<String, AuditEventRows.Stored>> second = CompletableFuture.supplyAsync(
                    () -> inTransaction(c -> rows.lockExisting(c, ids, way)), other);
            Thread.sleep(BLOCKED_MS);
            assertThat(second).as("the second transaction waits for the event's lock").isNotDone();

            holder.commit();
            AuditEventRows.Stored seen = second.get(30, TimeUnit.SECONDS).get(waiting.eventId());
            assertThat(seen.sealed()).as("the waiter reads the event as sealed by the holder").isTrue();
            assertThat(seen.event().succeeded()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(RowLocking.class)
    void idsNotStoredLockNothing(RowLocking way) {
        store = AuditStore.inMemory("row-locking-none-" + way.name().toLowerCase());
        Map<String, AuditEventRows.Stored> locked = inTransaction(c -> rows.lockExisting(c, List.of(EventIds.next()), way));
        assertThat(locked).isEmpty();
    }

    private Connection begin() throws SQLException {
        Connection c = store.ds.getConnection();
        c.setAutoCommit(false);
        return c;
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T inTransaction(Work<T> work) {
        try (Connection c = begin()) {
            T result = work.run(c);
            c.commit();
            return result;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An ALLOWED statement event, unsealed and waiting for its outcome. */
    private static AuditEvent event(Boolean succeeded) {
        return new AuditEvent(0, EventIds.next(), Instant.now().truncatedTo(ChronoUnit.MICROS), ENV, "sales", "req-1",
                "T-1", "bob", "support_ro", "session-1", "laptop", "test", "SELECT", "READ", List.of("public.orders"),
                "SELECT 1", null, "ALLOWED", null, succeeded, null, null, null, null, null);
    }

    private static AuditEvent withOutcome(AuditEvent e) {
        return new AuditEvent(e.sequence(), e.eventId(), e.eventTime(), e.environment(), e.database(), e.requestId(),
                e.supportTicketId(), e.engineer(), e.dbUser(), e.sessionId(), e.clientHost(), e.applicationName(),
                e.action(), e.actionClass(), e.objects(), e.statement(), e.parameters(), e.decision(), e.denyReason(),
                true, 1L, null, 0.5, null, null);
    }
}

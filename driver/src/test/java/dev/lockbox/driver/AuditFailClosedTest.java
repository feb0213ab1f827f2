package dev.lockbox.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.lockbox.api.audit.AuditBatch;
import dev.lockbox.api.audit.Decision;
import dev.lockbox.driver.testing.LockboxFixture;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** If the audit log cannot be written, statements do not run (sync), or stop being admitted (async limits). */
class AuditFailClosedTest {
    private static final String INSERT = "INSERT INTO orders(customer, amount) VALUES ('x', 1)";
    private LockboxFixture fx;

    @BeforeEach
    void setUp() throws SQLException {
        fx = new LockboxFixture();
    }

    @AfterEach
    void tearDown() throws SQLException {
        fx.server.failAudit = null;
        fx.close();
    }

    @Test
    void syncStatementDoesNotRunWhenItsEventCannotBeStored() throws Exception {
        try (Connection c = fx.connect(); Statement s = c.createStatement();
             PreparedStatement ps = c.prepareStatement("INSERT INTO orders(customer, amount) VALUES (?, ?)")) {
            fx.server.failAudit = SqlState.SERVER_UNAVAILABLE.exception("The Lockbox approval server answered HTTP 503");
            assertThatThrownBy(() -> s.executeUpdate(INSERT))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("not executed")
                    .hasMessageContaining("HTTP 503")
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08006"));
            ps.setString(1, "y");
            ps.setInt(2, 2);
            assertThatThrownBy(ps::executeUpdate).hasMessageContaining("not executed");
            s.addBatch(INSERT);
            assertThatThrownBy(s::executeBatch).hasMessageContaining("not executed");
            assertThatThrownBy(() -> s.executeQuery("SELECT * FROM orders")).hasMessageContaining("not executed");
            assertThat(fx.count(null)).isZero();

            fx.server.failAudit = null; // the server is back: statements run again
            assertThat(s.executeUpdate(INSERT)).isEqualTo(1);
        }
        assertThat(fx.count(null)).isEqualTo(1);
    }

    @Test
    void syncStatementDoesNotRunWhenTheAcknowledgementNeverComes() throws Exception {
        // A first statement's batch hangs on the server; a second statement queued behind it gives up
        // after twice connectTimeoutMs. (The hanging POST itself is bounded by the HTTP client's timeout.)
        CountDownLatch inFlight = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        fx.server.beforeAck = batch -> {
            inFlight.countDown();
            release.await(30, TimeUnit.SECONDS);
        };
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection first = fx.connect("connectTimeoutMs=200"); Connection second = fx.connect("connectTimeoutMs=200");
             Statement s = second.createStatement()) {
            Future<Integer> hanging = pool.submit(() -> first.createStatement().executeUpdate(INSERT));
            assertThat(inFlight.await(30, TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(() -> s.executeUpdate(INSERT))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("did not acknowledge")
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08006"));
            assertThat(fx.count(null)).isZero();
            release.countDown();
            assertThat(hanging.get(30, TimeUnit.SECONDS)).isEqualTo(1);
            fx.server.beforeAck = batch -> { };
        } finally {
            pool.shutdownNow();
        }
        assertThat(fx.count(null)).as("only the acknowledged statement ran").isEqualTo(1);
        assertThat(fx.server.events(Decision.ALLOWED)).hasSize(1);
    }

    @Test
    void concurrentSyncStatementsShareBatches() throws Exception {
        // Hold the first batch until every thread has queued its event: they must all ride in the next one.
        int threads = 8;
        CountDownLatch firstInFlight = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        fx.server.holdFirstEventBatch(firstInFlight, release);
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> new Thread(r, "grouping-" + r.hashCode()));
        List<Connection> conns = new ArrayList<>();
        try {
            for (int i = 0; i < threads; i++) {
                conns.add(fx.connect());
            }
            List<Future<Integer>> results = new ArrayList<>();
            results.add(pool.submit(() -> conns.get(0).createStatement().executeUpdate(INSERT)));
            assertThat(firstInFlight.await(30, TimeUnit.SECONDS)).isTrue();
            for (int i = 1; i < threads; i++) {
                Connection c = conns.get(i);
                results.add(pool.submit(() -> c.createStatement().executeUpdate(INSERT)));
            }
            // all eight wait for their acknowledgement; none reached the database
            await().atMost(Duration.ofSeconds(30)).until(() -> waitingForAudit() == threads);
            assertThat(fx.count(null)).isZero();
            release.countDown();
            for (Future<Integer> f : results) {
                assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(1);
            }
        } finally {
            for (Connection c : conns) {
                c.close();
            }
            pool.shutdownNow();
        }
        List<AuditBatch> withEvents = fx.server.batches.stream().filter(b -> !b.events().isEmpty()).toList();
        assertThat(withEvents.get(0).events()).hasSize(1);
        assertThat(withEvents.get(1).events()).as("queued while the first was in flight: one batch").hasSize(threads - 1);
        assertThat(withEvents).hasSize(2);
        assertThat(fx.count(null)).isEqualTo(threads);
    }

    /** Threads of this test inside AuditSink: the one sending the first batch, and those waiting behind it. */
    private static long waitingForAudit() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().startsWith("grouping-"))
                .filter(e -> java.util.Arrays.stream(e.getValue())
                        .anyMatch(f -> f.getClassName().endsWith("audit.AuditSink")))
                .count();
    }

    @Test
    void asyncRefusesNewStatementsOnceTooManyEventsAreUnacknowledged() throws Exception {
        try (Connection c = fx.connect("audit=async&auditMaxPending=3&auditMaxLagMs=600000"); Statement s = c.createStatement()) {
            fx.server.failAudit = SqlState.SERVER_UNAVAILABLE.exception("audit store down");
            // async: the first statements run while their events wait for the server
            for (int i = 0; i < 3; i++) {
                assertThat(s.executeUpdate(INSERT)).isEqualTo(1);
            }
            assertThatThrownBy(() -> s.executeUpdate(INSERT))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("auditMaxPending=3")
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08006"));
            // Once the shipper's first attempt has failed, the refusal also says why the audit is behind.
            // (Refused statements never run, so asking again is harmless.)
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThatThrownBy(() -> s.executeUpdate(INSERT))
                    .hasMessageContaining("auditMaxPending=3")
                    .hasMessageContaining("audit store down"));
            assertThat(fx.count(null)).isEqualTo(3);
            LockboxConnection lockbox = c.unwrap(LockboxConnection.class);
            assertThat(lockbox.auditBacklog()).isEqualTo(3);

            fx.server.failAudit = null; // retried with back-off: once acknowledged, statements are admitted again
            await().atMost(Duration.ofSeconds(30)).until(() -> fx.server.events(Decision.ALLOWED).size() == 3);
            await().atMost(Duration.ofSeconds(30)).until(() -> lockbox.auditBacklog() == 0);
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> s.executeUpdate(INSERT) == 1);
        }
        assertThat(fx.count(null)).isEqualTo(4);
        assertThat(fx.server.events(Decision.ALLOWED)).hasSize(4);
    }

    /** async: the statements run while their events wait for a server that keeps answering 503. */
    private void runTwoStatementsWhileTheAuditStoreIsDown(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            fx.server.failAudit = SqlState.SERVER_UNAVAILABLE.exception("audit store down");
            assertThat(s.executeUpdate(INSERT)).isEqualTo(1);
            assertThat(s.executeUpdate(INSERT)).isEqualTo(1);
        }
    }

    @Test
    void asyncCloseSaysHowManyEventsTheServerNeverAcknowledged() throws Exception {
        Connection c = fx.connect("audit=async&connectTimeoutMs=500");
        runTwoStatementsWhileTheAuditStoreIsDown(c);
        // The statements ran; their events never reached the audit log: close must not pretend otherwise.
        assertThatThrownBy(c::close)
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("did not acknowledge 2 audit event(s) of statements that already ran")
                .hasMessageContaining("its audit log misses them")
                .hasMessageContaining("audit store down")
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08006"));
        assertThat(c.isClosed()).isTrue();
        assertThat(fx.server.events(Decision.ALLOWED)).isEmpty();
    }

    @Test
    void asyncCloseKeepsRetryingAServerThatComesBack() throws Exception {
        Connection c = fx.connect("audit=async&connectTimeoutMs=10000");
        runTwoStatementsWhileTheAuditStoreIsDown(c);
        Thread recovery = new Thread(() -> {
            try {
                Thread.sleep(400);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            fx.server.failAudit = null;
        });
        recovery.start();
        c.close(); // retried with back-off until the server answers: nothing lost, nothing to report
        recovery.join();
        assertThat(fx.server.events(Decision.ALLOWED)).hasSize(2);
    }

    @Test
    void asyncRefusesNewStatementsOnceAnEventIsTooOld() throws Exception {
        try (Connection c = fx.connect("audit=async&auditMaxPending=1000&auditMaxLagMs=100"); Statement s = c.createStatement()) {
            fx.server.failAudit = SqlState.SERVER_UNAVAILABLE.exception("audit store down");
            assertThat(s.executeUpdate(INSERT)).isEqualTo(1);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThatThrownBy(() -> s.executeUpdate(INSERT))
                            .hasMessageContaining("auditMaxLagMs=100")
                            .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08006")));
            long rows = fx.count(null);
            assertThatThrownBy(() -> s.executeUpdate(INSERT)).isInstanceOf(SQLException.class);
            assertThat(fx.count(null)).isEqualTo(rows);
            fx.server.failAudit = null;
        }
    }

    @Test
    void asyncShipsEventsAndOutcomes() throws Exception {
        try (Connection c = fx.connect("audit=async"); Statement s = c.createStatement()) {
            for (int i = 0; i < 50; i++) {
                s.executeUpdate(INSERT);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> fx.server.events(Decision.ALLOWED).size() == 50
                    && fx.server.outcomes().size() == 50);
        }
        assertThat(fx.server.outcomes()).allSatisfy(o -> {
            assertThat(o.succeeded()).isTrue();
            assertThat(o.rowsAffected()).isEqualTo(1L);
        });
    }

    @Test
    void connectionsOfTheSameSettingsShareOneSink() throws Exception {
        try (Connection a = fx.connect(); Connection b = fx.connect(); Connection other = fx.connect("audit=async")) {
            a.createStatement().executeQuery("SELECT 1").close();
            b.createStatement().executeQuery("SELECT 2").close();
            other.createStatement().executeQuery("SELECT 3").close();
            assertThat(Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("lockbox-audit-shop")).count()).isEqualTo(2);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("lockbox-audit-shop") && t.isAlive()));
    }
}

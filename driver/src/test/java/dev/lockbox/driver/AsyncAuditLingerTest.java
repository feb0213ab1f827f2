package dev.lockbox.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.lockbox.api.audit.AuditBatch;
import dev.lockbox.api.audit.Decision;
import dev.lockbox.driver.audit.AuditSink;
import dev.lockbox.driver.config.AuditMode;
import dev.lockbox.driver.testing.LockboxFixture;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code auditLingerMs}: the async shipper waits for more events so one batch carries many
 * statements, without weakening the async limits, delaying close, or touching sync.
 */
class AsyncAuditLingerTest {
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

    private List<AuditBatch> batchesWithEvents() {
        return fx.server.batches.stream().filter(b -> !b.events().isEmpty()).toList();
    }

    @Test
    void manyStatementsShareOneBatchWithTheirOutcomes() throws Exception {
        int statements = 40;
        try (Connection c = fx.connect("audit=async&auditLingerMs=500"); Statement s = c.createStatement()) {
            long start = System.nanoTime();
            for (int i = 0; i < statements; i++) {
                assertThat(s.executeUpdate(INSERT)).isEqualTo(1);
            }
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            await().atMost(Duration.ofSeconds(30)).until(() -> fx.server.events(Decision.ALLOWED).size() == statements);
            // Without a linger each statement's event leaves on its own (40 batches); with it, one batch
            // per 500 ms the statements took, plus one for an event queued as a batch was leaving.
            assertThat(batchesWithEvents()).hasSizeLessThanOrEqualTo((int) (elapsedMs / 500) + 2);
            // the outcomes of the statements that ran while the first batch lingered left with it
            assertThat(batchesWithEvents().get(0).outcomes()).isNotEmpty();
        }
        assertThat(fx.server.outcomes()).hasSize(statements);
    }

    @Test
    void anOutcomeNeverLeavesBeforeItsEventWhenMoreThanABatchIsQueued() throws Exception {
        // Half the statements are refused (DENIED events have no outcome), so the outcomes queued run
        // ahead of the events queued: a batch of the first 1000 events must not take the outcomes of later ones.
        fx.server.accessLevel = dev.lockbox.api.request.AccessLevel.READ_ONLY;
        int statements = 2_500;
        CountDownLatch inFlight = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        fx.server.holdFirstEventBatch(inFlight, release);
        try (Connection c = fx.connect("audit=async&auditLingerMs=0&auditMaxPending=100000&auditMaxLagMs=600000");
             Statement s = c.createStatement()) {
            s.executeQuery("SELECT COUNT(*) FROM orders").close();
            assertThat(inFlight.await(30, TimeUnit.SECONDS)).isTrue(); // the first batch is held at the server
            for (int i = 1; i < statements; i++) { // events and outcomes queue behind it
                if (i % 2 == 0) {
                    s.executeQuery("SELECT COUNT(*) FROM orders").close();
                } else {
                    assertThatThrownBy(() -> s.executeUpdate(INSERT)).isInstanceOf(SQLException.class);
                }
            }
            release.countDown();
            await().atMost(Duration.ofSeconds(60)).until(() -> fx.server.events().size() == statements);
            await().atMost(Duration.ofSeconds(60)).until(() -> fx.server.outcomes().size() == (statements + 1) / 2);
        }
        java.util.Set<String> sent = new java.util.HashSet<>();
        for (AuditBatch b : fx.server.batches) {
            b.events().forEach(e -> sent.add(e.eventId()));
            assertThat(b.events().size()).isLessThanOrEqualTo(1000);
            assertThat(b.outcomes()).allSatisfy(o ->
                    assertThat(sent).as("the event of an outcome was sent with it or before").contains(o.eventId()));
        }
        assertThat(fx.server.events(Decision.DENIED)).hasSize(statements / 2);
    }

    @Test
    void anEventWaitsForTheLingerBeforeItIsSent() throws Exception {
        try (Connection c = fx.connect("audit=async&auditLingerMs=1000"); Statement s = c.createStatement()) {
            long start = System.nanoTime();
            s.executeUpdate(INSERT);
            LockboxConnection lockbox = c.unwrap(LockboxConnection.class);
            assertThat(lockbox.auditBacklog()).isEqualTo(1);
            Thread.sleep(300);
            if ((System.nanoTime() - start) / 1_000_000 < 900) { // a stalled machine may have passed the linger
                assertThat(fx.server.events()).as("still lingering").isEmpty();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> fx.server.events(Decision.ALLOWED).size() == 1);
            assertThat((System.nanoTime() - start) / 1_000_000).as("not sent before the linger").isGreaterThanOrEqualTo(1000);
            await().atMost(Duration.ofSeconds(30)).until(() -> lockbox.auditBacklog() == 0);
        }
    }

    @Test
    void closeSendsWhatLingersAtOnce() throws Exception {
        Connection c = fx.connect("audit=async&auditLingerMs=1000");
        try (Statement s = c.createStatement()) {
            s.executeUpdate(INSERT);
            s.executeUpdate(INSERT);
        }
        long start = System.nanoTime();
        c.close();
        long closeMs = (System.nanoTime() - start) / 1_000_000;
        // close returned after the last connection's sink shipped everything, events and outcomes
        assertThat(fx.server.events(Decision.ALLOWED)).hasSize(2);
        assertThat(fx.server.outcomes()).hasSize(2);
        assertThat(closeMs).as("close does not wait out the 1000 ms linger").isLessThan(900);
    }

    @Test
    void reachingAuditMaxPendingSendsWithoutLingering() throws Exception {
        try (Connection c = fx.connect("audit=async&auditMaxPending=5&auditLingerMs=1000");
             Statement s = c.createStatement()) {
            long start = System.nanoTime();
            for (int i = 0; i < 5; i++) {
                s.executeUpdate(INSERT);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> fx.server.events(Decision.ALLOWED).size() == 5);
            assertThat((System.nanoTime() - start) / 1_000_000)
                    .as("a batch of auditMaxPending events leaves before the linger is over").isLessThan(1000);
            LockboxConnection lockbox = c.unwrap(LockboxConnection.class);
            await().atMost(Duration.ofSeconds(30)).until(() -> lockbox.auditBacklog() == 0);
            assertThat(s.executeUpdate(INSERT)).isEqualTo(1);
        }
        assertThat(fx.count(null)).isEqualTo(6);
    }

    @Test
    void lingeringStillRefusesAtAuditMaxPendingWhenTheServerIsDown() throws Exception {
        try (Connection c = fx.connect("audit=async&auditMaxPending=3&auditLingerMs=1000"); Statement s = c.createStatement()) {
            fx.server.failAudit = SqlState.SERVER_UNAVAILABLE.exception("audit store down");
            for (int i = 0; i < 3; i++) {
                assertThat(s.executeUpdate(INSERT)).isEqualTo(1);
            }
            assertThatThrownBy(() -> s.executeUpdate(INSERT))
                    .hasMessageContaining("auditMaxPending=3")
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08006"));
            assertThat(fx.count(null)).isEqualTo(3);
            fx.server.failAudit = null;
            await().atMost(Duration.ofSeconds(30)).until(() -> fx.server.events(Decision.ALLOWED).size() == 3);
        }
    }

    @Test
    void lingeringStillRefusesAtAuditMaxLagMsWhenTheServerIsDown() throws Exception {
        try (Connection c = fx.connect("audit=async&auditMaxLagMs=200&auditLingerMs=100"); Statement s = c.createStatement()) {
            fx.server.failAudit = SqlState.SERVER_UNAVAILABLE.exception("audit store down");
            assertThat(s.executeUpdate(INSERT)).isEqualTo(1);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThatThrownBy(() -> s.executeUpdate(INSERT))
                    .hasMessageContaining("auditMaxLagMs=200")
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08006")));
            long rows = fx.count(null);
            assertThatThrownBy(() -> s.executeUpdate(INSERT)).isInstanceOf(SQLException.class);
            assertThat(fx.count(null)).as("a refused statement does not run").isEqualTo(rows);
            fx.server.failAudit = null;
        }
    }

    @Test
    void aHealthyServerIsNeverBehindBecauseOfTheLinger() throws Exception {
        // The linger is at most half of auditMaxLagMs, so lingering alone never trips the lag limit.
        try (Connection c = fx.connect("audit=async&auditMaxLagMs=2000&auditLingerMs=1000"); Statement s = c.createStatement()) {
            long end = System.nanoTime() + Duration.ofMillis(2500).toNanos();
            int n = 0;
            while (System.nanoTime() < end) {
                assertThat(s.executeUpdate(INSERT)).isEqualTo(1);
                n++;
            }
            int ran = n;
            await().atMost(Duration.ofSeconds(30)).until(() -> fx.server.events(Decision.ALLOWED).size() == ran);
            assertThat(batchesWithEvents().size()).as("batched").isLessThan(ran);
        }
    }

    @Test
    void syncIgnoresTheLinger() throws Exception {
        // A sync statement queued behind another's POST is sent by the shipper: it must not linger.
        CountDownLatch firstInFlight = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        fx.server.holdFirstEventBatch(firstInFlight, release);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (Connection a = fx.connect("auditLingerMs=1000"); Connection b = fx.connect("auditLingerMs=1000")) {
            Future<Integer> first = pool.submit(() -> a.createStatement().executeUpdate(INSERT));
            assertThat(firstInFlight.await(30, TimeUnit.SECONDS)).isTrue();
            long submitted = System.nanoTime();
            Future<Integer> second = pool.submit(() -> b.createStatement().executeUpdate(INSERT));
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5))
                    .until(() -> b.unwrap(LockboxConnection.class).auditBacklog() == 2);
            release.countDown();
            assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(second.get(30, TimeUnit.SECONDS)).isEqualTo(1);
            // queued, then sent by the shipper as soon as the first POST returned: far less than the linger
            assertThat((System.nanoTime() - submitted) / 1_000_000).as("the queued sync statement did not linger")
                    .isLessThan(900);
        } finally {
            pool.shutdownNow();
        }
        assertThat(fx.server.events(Decision.ALLOWED)).hasSize(2);
    }

    @Test
    void aSinkRefusesALingerThatCouldTripTheLagLimitOrIsNegative() {
        // DriverConfig refuses these from a URL (DriverConfigTest); the sink guards the same bound for any other caller.
        assertThatThrownBy(() -> new AuditSink(fx.server, "shop", AuditMode.ASYNC, 100, 100, 51, 1000, () -> {}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lingerMs 51");
        assertThatThrownBy(() -> new AuditSink(fx.server, "shop", AuditMode.SYNC, 100, 100, -1, 1000, () -> {}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lingerMs -1");
    }
}

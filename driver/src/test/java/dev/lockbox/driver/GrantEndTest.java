package dev.lockbox.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.lockbox.api.request.RequestStatus;
import dev.lockbox.driver.testing.LockboxFixture;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * After expiry or revocation, statements are refused (28000) and connections closed within one
 * second; open result sets stop. While the grant cannot be confirmed, statements are refused (08006).
 */
class GrantEndTest {
    private static final Duration ONE_SECOND = Duration.ofSeconds(1);
    private LockboxFixture fx;

    @BeforeEach
    void setUp() throws SQLException {
        fx = new LockboxFixture();
    }

    @AfterEach
    void tearDown() throws SQLException {
        fx.close();
    }

    @Test
    void revocationOnTheServerClosesEveryConnectionOfTheGrantWithinOneSecond() throws Exception {
        // 200 ms polls keep the one-second bound with margin on a loaded build machine
        Connection a = fx.connect("grantCheckIntervalMs=200");
        Connection b = fx.connect("grantCheckIntervalMs=200");
        Statement s = a.createStatement();
        ResultSet rs = s.executeQuery("SELECT X FROM SYSTEM_RANGE(1, 1000)");
        assertThat(rs.next()).isTrue();

        fx.server.status = RequestStatus.REVOKED;
        long revokedAt = System.nanoTime();
        await().atMost(ONE_SECOND).pollInterval(Duration.ofMillis(10)).until(() -> a.isClosed() && b.isClosed());
        assertThat(Duration.ofNanos(System.nanoTime() - revokedAt)).isLessThan(ONE_SECOND);

        assertThatThrownBy(rs::next).isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28000"))
                .hasMessageContaining("revoked");
        assertThat(rs.isClosed()).isTrue();
        for (Connection c : new Connection[] {a, b}) {
            assertThatThrownBy(() -> c.createStatement().executeQuery("SELECT 1"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28000"))
                    .hasMessageContaining("revoked");
            assertThat(c.isValid(1)).isFalse();
            assertThat(c.unwrap(LockboxConnection.class).endedReason()).contains("revoked");
        }
        assertThatThrownBy(() -> s.executeQuery("SELECT 1")).hasMessageContaining("revoked");
        // the raw connections are really closed, not just refused
        await().atMost(Duration.ofSeconds(10)).until(() -> fx.server.openSessions.isEmpty());
        a.close();
        b.close();
    }

    @Test
    void accessWindowEndIsEnforcedWithTheLocalClock() throws Exception {
        // grantCheckIntervalMs=1000: the server is never asked in time; the clock alone ends the session
        try (Connection c = fx.connect("grantCheckIntervalMs=1000"); Statement s = c.createStatement()) {
            assertThat(s.executeQuery("SELECT 1").next()).isTrue();
            fx.clock.advance(Duration.ofHours(2));
            assertThatThrownBy(() -> s.executeQuery("SELECT 1"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28000"))
                    .hasMessageContaining("ended at " + fx.server.accessExpiresAt);
            await().atMost(ONE_SECOND).pollInterval(Duration.ofMillis(10)).until(c::isClosed);
        }
        assertThat(fx.server.events()).hasSize(1);
    }

    @Test
    void expiryClosesAnIdleConnectionWithinOneSecond() throws Exception {
        try (Connection c = fx.connect("grantCheckIntervalMs=100")) {
            fx.clock.advance(Duration.ofHours(2));
            await().atMost(ONE_SECOND).pollInterval(Duration.ofMillis(10)).until(c::isClosed);
        }
    }

    @Test
    void statementsAreRefusedWhileTheGrantCannotBeConfirmed() throws Exception {
        try (Connection c = fx.connect("grantCheckIntervalMs=20&grantConfirmTimeoutMs=100"); Statement s = c.createStatement()) {
            fx.server.failStatus = SqlState.SERVER_UNAVAILABLE.exception("Cannot reach the Lockbox approval server");
            fx.clock.advance(Duration.ofMillis(500));
            assertThatThrownBy(() -> s.executeQuery("SELECT 1"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08006"))
                    .hasMessageContaining("could not be confirmed");
            assertThat(c.isClosed()).isFalse();
            fx.server.failStatus = null; // confirmed again: statements run again
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                    .until(() -> s.executeQuery("SELECT 1").next());
        }
    }

    @Test
    void serverNoLongerKnowingTheGrantEndsTheSession() throws Exception {
        try (Connection c = fx.connect("grantCheckIntervalMs=20")) {
            fx.server.failStatus = SqlState.NO_GRANT.exception("Lockbox no longer confirms grant: access_revoked");
            await().atMost(ONE_SECOND).pollInterval(Duration.ofMillis(10)).until(c::isClosed);
            assertThat(c.unwrap(LockboxConnection.class).endedReason()).contains("access_revoked");
        }
    }

    @Test
    void onePollerPerGrantAndItStopsWhenTheLastConnectionCloses() throws Exception {
        Connection a = fx.connect();
        Connection b = fx.connect();
        String name = "lockbox-grant-" + fx.server.requestId;
        assertThat(pollers(name)).isEqualTo(1);
        a.close();
        assertThat(pollers(name)).isEqualTo(1);
        b.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> pollers(name) == 0);
    }

    private static long pollers(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name) && t.isAlive()).count();
    }

    @Test
    void connectingWithAnAlreadyEndedGrantIsRefused() throws Exception {
        fx.server.accessExpiresAt = fx.clock.instant().minusSeconds(1);
        assertThatThrownBy(fx::connect)
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28000"))
                .hasMessageContaining("file a new access request");
        assertThat(fx.server.openSessions).isEmpty();
    }
}

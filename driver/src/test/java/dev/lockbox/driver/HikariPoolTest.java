package dev.lockbox.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.lockbox.api.audit.Decision;
import dev.lockbox.api.request.RequestStatus;
import dev.lockbox.driver.testing.LockboxFixture;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HikariCP pools Lockbox connections while the grant lasts and fails fast with the 28000 message after it ends. */
class HikariPoolTest {
    private LockboxFixture fx;
    private HikariDataSource pool;

    @BeforeEach
    void setUp() throws SQLException {
        fx = new LockboxFixture();
        LockboxDataSource ds = new LockboxDataSource(fx.driver);
        ds.setUrl(fx.url("grantCheckIntervalMs=50"));
        ds.setUser("alice");
        ds.setPassword("token-alice");
        HikariConfig config = new HikariConfig();
        config.setDataSource(ds);
        config.setMaximumPoolSize(4);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(1000);
        config.setInitializationFailTimeout(-1);
        pool = new HikariDataSource(config);
    }

    @AfterEach
    void tearDown() throws SQLException {
        pool.close();
        fx.close();
    }

    @Test
    void poolWorksWhileTheGrantLasts() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int id = t;
                work.add(threads.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        try (Connection c = pool.getConnection();
                             PreparedStatement ps = c.prepareStatement("INSERT INTO orders(customer, amount) VALUES (?, ?)")) {
                            ps.setString(1, "t" + id);
                            ps.setInt(2, i);
                            ps.executeUpdate();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(fx.count(null)).isEqualTo(100);
        assertThat(fx.server.events(Decision.ALLOWED)).hasSize(100);
        assertThat(fx.server.openSessions.size()).isLessThanOrEqualTo(4);
        try (Connection c = pool.getConnection()) {
            assertThat(c.isWrapperFor(LockboxConnection.class)).isTrue();
            assertThat(c.unwrap(LockboxConnection.class).grant().requestId()).isEqualTo(fx.server.requestId);
            try (ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM orders")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(100);
                assertThat(rs.getStatement().getConnection()).isSameAs(c); // Hikari's proxy, over ours
            }
        }
    }

    @Test
    void poolFailsFastWithTheGrantMessageAfterRevocation() throws Exception {
        try (Connection c = pool.getConnection()) {
            c.createStatement().executeQuery("SELECT 1").close();
        }
        fx.server.status = RequestStatus.REVOKED;
        fx.server.refuseSessions = SqlState.NO_GRANT.exception(
                "Lockbox refused the connection to environment 'shop': your access was revoked [access_revoked]");
        await().atMost(Duration.ofSeconds(1)).until(() -> fx.server.openSessions.isEmpty());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            long start = System.nanoTime();
            assertThatThrownBy(() -> {
                try (Connection c = pool.getConnection()) {
                    c.createStatement().executeQuery("SELECT 1");
                }
            }).isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28000"))
                    .hasMessageContaining("revoked");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        });
        assertThat(fx.count(null)).isZero();
    }
}

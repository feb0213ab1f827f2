package dev.lockbox.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded store's chunk housekeeping, on real H2 files written one commit at a time (the sync
 * driver's pattern): without it the file keeps the chunks pinned by a few live pages and grows with
 * every commit; with it the file stays a fraction of that, and no row is lost. H2's retention time is
 * shortened to 200 ms here (45 s by default) so that freed chunks are reused within the test.
 */
class H2HousekeepingTest {
    private static final int COMMITS = 10_000;

    @Test
    void housekeepingKeepsAFileWrittenOneCommitAtATimeSmallAndLosesNothing(@TempDir Path dir) throws Exception {
        long without = writeCommits(dir.resolve("without"), false);
        long with = writeCommits(dir.resolve("with"), true);
        // Measured: ~80 MB without, 28-34 MB with (and the gap widens with every commit).
        assertThat(with).as("file with housekeeping (%d bytes) vs without (%d bytes)", with, without)
                .isLessThan(without * 6 / 10);
    }

    @Test
    void onlyAnEmbeddedH2StoreGetsHousekeeping() {
        HikariDataSource none = null;
        assertThat(H2Housekeeping.startIfEmbeddedH2("jdbc:postgresql://127.0.0.1/lockbox", none, Duration.ofSeconds(1))).isNull();
        assertThat(H2Housekeeping.startIfEmbeddedH2("jdbc:h2:tcp://127.0.0.1:9092/lockbox", none, Duration.ofSeconds(1))).isNull();
        assertThat(H2Housekeeping.startIfEmbeddedH2("jdbc:h2:mem:lockbox", none, Duration.ofSeconds(1))).isNull();
    }

    @Test
    void aRoundOnAClosedStoreFailsQuietly(@TempDir Path dir) throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("db") + ";WRITE_DELAY=0";
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername("sa");
        config.setPassword("");
        HikariDataSource ds = new HikariDataSource(config);
        // An hour between rounds: only the rounds called here run.
        try (H2Housekeeping h = H2Housekeeping.startIfEmbeddedH2(url, ds, Duration.ofHours(1))) {
            h.tick();
            assertThat(h.rounds()).isEqualTo(1);
            ds.close();
            h.tick(); // the pool is closed: logged, not thrown, and not counted as a round
            assertThat(h.rounds()).isEqualTo(1);
        } finally {
            ds.close();
        }
    }

    @Test
    void theServersStoreRunsItsRounds(@TempDir Path dir) throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("lockbox") + ";WRITE_DELAY=0";
        try (Store store = Store.open(url, "sa", "")) {
            H2Housekeeping h = store.housekeeping();
            assertThat(h).isNotNull();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (h.rounds() == 0 && System.nanoTime() < deadline) Thread.sleep(50);
            assertThat(h.rounds()).as("housekeeping rounds after up to 30 s").isPositive();
        }
    }

    /** Writes {@link #COMMITS} audit-like commits (insert a row, seal the previous one, move a head) and returns the file size. */
    private static long writeCommits(Path dir, boolean housekeeping) throws Exception {
        Files.createDirectories(dir);
        String url = "jdbc:h2:file:" + dir.resolve("db") + ";WRITE_DELAY=0;RETENTION_TIME=200";
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername("sa");
        config.setPassword("");
        config.setMaximumPoolSize(2);
        try (HikariDataSource ds = new HikariDataSource(config);
                H2Housekeeping h = housekeeping ? H2Housekeeping.startIfEmbeddedH2(url, ds, Duration.ofMillis(20)) : null) {
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                try (AuditShapedCommits commits = new AuditShapedCommits(c)) {
                    for (int i = 0; i < COMMITS; i++) commits.commitNext();
                }
                try (ResultSet rs = s.executeQuery("SELECT COUNT(*), COUNT(seq) FROM ev")) {
                    rs.next();
                    assertThat(rs.getLong(1)).isEqualTo(COMMITS);
                    assertThat(rs.getLong(2)).isEqualTo(COMMITS - 1);
                }
                if (h != null) assertThat(h.compactions()).as("rounds that rewrote chunks").isPositive();
                // The size while the database is open: closing it compacts for up to 200 ms (MAX_COMPACT_TIME).
                return H2Housekeeping.mvStore(c).getFileStore().size();
            }
        }
    }
}

package dev.lockbox.server.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;
import org.h2.engine.Session;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chunk housekeeping H2 leaves out when it writes every commit ({@code WRITE_DELAY=0}, the
 * server's setting): rewrites the live pages of mostly dead chunks so that those chunks can be freed.
 *
 * <p>H2's file store writes each commit as a new chunk holding every page the commit changed. A chunk
 * is freed only when none of its pages is live any more, and one page that no later commit touches (a
 * full leaf of the audit log, say) keeps its whole chunk. H2 normally moves such pages out from its
 * background writer thread, but that thread only runs with a write delay; with {@code WRITE_DELAY=0}
 * nothing ever does, and the file grew by 8-23 KB per commit for good: every sync statement of the
 * driver is one commit, so 2.1-2.3 GB per 100,000 statements (docs/benchmarks.md, "Sync statements and
 * the store"). This task calls H2's own {@link MVStore#compact} every {@code interval}, with H2's
 * default target (chunks under {@value #TARGET_FILL_RATE}% live are rewritten). Freed chunks are reused
 * after H2's retention time (45 s), so the file grows with the data it holds, not with every commit.
 *
 * <p>Only for an embedded H2 database (a session in this JVM); H2 over TCP and PostgreSQL are left alone.
 */
final class H2Housekeeping implements AutoCloseable {
    /** H2's {@code AUTO_COMPACT_FILL_RATE} default. */
    static final int TARGET_FILL_RATE = 90;
    /** Live bytes rewritten per round at most. */
    static final int WRITE_LIMIT = 16 << 20;
    static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(H2Housekeeping.class);

    private final DataSource ds;
    private final Duration interval;
    private final ScheduledExecutorService timer;
    private final LongAdder rounds = new LongAdder();
    private final LongAdder compactions = new LongAdder();
    private final AtomicBoolean failureLogged = new AtomicBoolean();

    private H2Housekeeping(DataSource ds, Duration interval) {
        this.ds = Objects.requireNonNull(ds, "ds");
        this.interval = interval;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lockbox-store-housekeeping");
            t.setDaemon(true);
            return t;
        });
        long ms = interval.toMillis();
        timer.scheduleWithFixedDelay(this::tick, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Starts the housekeeping for an embedded H2 store; null for any other store (nothing to do). */
    static H2Housekeeping startIfEmbeddedH2(String jdbcUrl, DataSource ds, Duration interval) {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:h2:") || jdbcUrl.startsWith("jdbc:h2:tcp:")
                || jdbcUrl.startsWith("jdbc:h2:ssl:") || jdbcUrl.startsWith("jdbc:h2:mem:")) {
            return null;
        }
        if (interval.isNegative() || interval.isZero()) throw new IllegalArgumentException("interval must be positive: " + interval);
        return new H2Housekeeping(ds, interval);
    }

    /** One round: a pooled connection (which keeps the database open) and one {@link MVStore#compact} call. */
    void tick() {
        try (Connection c = ds.getConnection()) {
            MVStore store = mvStore(c);
            if (store == null) {
                LOG.info("the store is not an embedded H2 database; no chunk housekeeping");
                timer.shutdown();
                return;
            }
            if (!store.isClosed() && store.compact(TARGET_FILL_RATE, WRITE_LIMIT)) compactions.increment();
            rounds.increment();
            failureLogged.set(false);
        } catch (SQLException | RuntimeException e) {
            // A closing pool or database, or an H2 failure: the next round tries again; logged once per streak.
            if (failureLogged.compareAndSet(false, true)) {
                LOG.warn("H2 store housekeeping failed ({}); retrying every {} ms", e.toString(),
                        interval.toMillis(), e);
            }
        }
    }

    /** The H2 MVStore behind {@code c}, or null when {@code c} is not an embedded H2 session. */
    static MVStore mvStore(Connection c) throws SQLException {
        if (!c.isWrapperFor(JdbcConnection.class)) return null;
        Session session = c.unwrap(JdbcConnection.class).getSession();
        if (!(session instanceof SessionLocal local)) return null;
        org.h2.mvstore.db.Store store = local.getDatabase().getStore();
        return store == null ? null : store.getMvStore();
    }

    /** Rounds run so far, and how many of them rewrote chunks (for tests and diagnostics). */
    long rounds() {
        return rounds.sum();
    }

    long compactions() {
        return compactions.sum();
    }

    @Override
    public void close() {
        // No interrupt: a round in progress finishes (H2 gives up a compaction that is interrupted) before
        // the pool closes under it; the rounds still due are cancelled.
        timer.shutdown();
        try {
            if (!timer.awaitTermination(10, TimeUnit.SECONDS)) LOG.warn("H2 store housekeeping did not stop within 10 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

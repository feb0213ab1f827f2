package dev.lockbox.server.audit;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one unit of audit work in one database transaction, and runs it again from the start when
 * the database gave up on it for a reason that a second attempt cures: a deadlock, a lock wait
 * timeout, or a concurrent insert of the same key (a driver's retry racing its original). The
 * whole transaction is rolled back first, so a retried attempt never half-repeats anything.
 */
final class RetryingTransaction {
    /** SQLStates of H2 and PostgreSQL meaning "try again": serialization/deadlock, lock timeout, duplicate key. */
    private static final Set<String> TRANSIENT_STATES = Set.of("40001", "40P01", "HYT00", "55P03", "23505", "90131");
    private static final int ATTEMPTS = 8;
    private static final Logger log = LoggerFactory.getLogger(RetryingTransaction.class);

    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final DataSource ds;

    RetryingTransaction(DataSource ds) {
        this.ds = ds;
    }

    <T> T run(Work<T> work) {
        SQLException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                return once(work);
            } catch (SQLException e) {
                if (!isTransient(e)) throw new AuditStoreException("audit store failed", e);
                last = e;
                log.debug("audit transaction attempt {} hit {} ({}); retrying", attempt, e.getSQLState(), e.getMessage());
                // Randomised backoff so two replicas that collided do not collide again in step.
                LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(1_000_000L, 5_000_000L * attempt));
            }
        }
        throw new AuditStoreException("audit store stayed contended after " + ATTEMPTS + " attempts", last);
    }

    private <T> T once(Work<T> work) throws SQLException {
        try (Connection c = ds.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(c, e);
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        }
    }

    static boolean isTransient(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                if (s.getSQLState() != null && TRANSIENT_STATES.contains(s.getSQLState())) return true;
                if (s.getErrorCode() == 50200) return true; // H2 LOCK_TIMEOUT_1
            }
        }
        return false;
    }

    private static void rollbackQuietly(Connection c, Throwable cause) {
        try {
            c.rollback();
        } catch (SQLException r) {
            cause.addSuppressed(r);
        }
    }
}

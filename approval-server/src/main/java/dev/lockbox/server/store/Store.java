package dev.lockbox.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's relational store: a HikariCP pool over H2 (embedded file) or PostgreSQL, migrated
 * by Flyway from {@code classpath:db/migration} (workflow V1..V99, audit log V100+ in a subfolder).
 * Every write runs in {@link #inTransaction} and is committed before the HTTP answer is sent. An
 * embedded H2 store also gets {@link H2Housekeeping}, which H2 skips when it writes every commit.
 */
public final class Store implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Store.class);
    private final HikariDataSource ds;
    /** Null unless the store is an embedded H2 database. */
    private final H2Housekeeping housekeeping;

    private Store(HikariDataSource ds, H2Housekeeping housekeeping) {
        this.ds = ds;
        this.housekeeping = housekeeping;
    }

    public static Store open(String jdbcUrl, String user, String password) {
        if (!H2Engine.configure(jdbcUrl)) {
            LOG.info("H2's value cache is on ({}=true, or H2 was loaded before the store opened): reading the"
                    + " audit log back is slower", H2Engine.OBJECT_CACHE);
        }
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(jdbcUrl);
        hc.setUsername(user);
        hc.setPassword(password);
        hc.setPoolName("lockbox-store");
        hc.setMaximumPoolSize(16);
        hc.setAutoCommit(true);
        HikariDataSource ds = new HikariDataSource(hc);
        try {
            // Features number their migrations in ranges (workflow V1.., audit V100.., broker V200.., export
            // V300..), so a feature's new migration may sort below one already applied: allow that.
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").outOfOrder(true).load().migrate();
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        return new Store(ds, H2Housekeeping.startIfEmbeddedH2(jdbcUrl, ds, H2Housekeeping.INTERVAL));
    }

    public DataSource dataSource() {
        return ds;
    }

    /** The chunk housekeeping of an embedded H2 store; null for any other store. */
    H2Housekeeping housekeeping() {
        return housekeeping;
    }

    /** Runs {@code work} in one transaction: committed if it returns, rolled back if it throws. */
    public <T> T inTransaction(SqlWork<T> work) {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** Runs read-only {@code work} on a pooled connection in auto-commit mode. */
    public <T> T read(SqlWork<T> work) {
        try (Connection c = ds.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    @Override
    public void close() {
        if (housekeeping != null) housekeeping.close();
        ds.close();
    }

    public static OffsetDateTime toDb(Instant t) {
        return t == null ? null : t.atOffset(ZoneOffset.UTC);
    }

    public static Instant instant(ResultSet rs, String column) throws SQLException {
        Object v = rs.getObject(column);
        if (v == null) return null;
        if (v instanceof OffsetDateTime odt) return odt.toInstant();
        if (v instanceof Timestamp ts) return ts.toInstant();
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }

    @FunctionalInterface
    public interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    /** A store failure that is not the caller's fault (HTTP 500). */
    public static final class StoreException extends RuntimeException {
        public StoreException(SQLException cause) {
            super(cause.getMessage(), cause);
        }
    }
}

package dev.lockbox.server.broker;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * The broker's administrative connections, one small pool per target. A warm connection keeps a
 * revocation well under a second (no login on the critical path). A pool is replaced when its
 * environment's target configuration changes.
 */
final class AdminConnections implements AutoCloseable {
    private final Map<String, Pool> pools = new HashMap<>();

    private record Pool(TargetDatabase target, HikariDataSource ds) {}

    Connection open(TargetDatabase target) throws SQLException {
        HikariDataSource ds;
        synchronized (pools) {
            Pool pool = pools.get(target.environment());
            if (pool == null || !pool.target().equals(target)) {
                if (pool != null) pool.ds().close();
                pool = new Pool(target, newPool(target));
                pools.put(target.environment(), pool);
            }
            ds = pool.ds();
        }
        try {
            return ds.getConnection();
        } catch (SQLException e) {
            throw new SQLException("cannot connect to the target database of environment '" + target.environment()
                    + "' as " + target.adminUser() + ": " + e.getMessage(), e.getSQLState(), e);
        }
    }

    private static HikariDataSource newPool(TargetDatabase target) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("lockbox-broker-" + target.environment());
        hc.setJdbcUrl(target.jdbcUrl());
        hc.setUsername(target.adminUser());
        hc.setPassword(target.adminSecret().resolve());
        hc.setMaximumPoolSize(2);
        hc.setMinimumIdle(1);
        hc.setAutoCommit(true);
        hc.setConnectionTimeout(2_000);
        // A target that is down at start must not stop the server; the first use reports it.
        hc.setInitializationFailTimeout(-1);
        return new HikariDataSource(hc);
    }

    @Override
    public void close() {
        synchronized (pools) {
            pools.values().forEach(p -> p.ds().close());
            pools.clear();
        }
    }
}

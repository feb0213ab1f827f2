package dev.lockbox.server.audit;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.Flyway;

/**
 * A real store for audit tests: HikariCP over H2, migrated by Flyway with only the audit migrations,
 * so these tests do not depend on the rest of the server's schema.
 */
final class AuditStore implements AutoCloseable {
    final HikariDataSource ds;

    private AuditStore(HikariDataSource ds) {
        this.ds = ds;
    }

    /** A private in-memory database that lives until {@link #close()}. */
    static AuditStore inMemory(String name) {
        return open("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1", 8);
    }

    static AuditStore open(String url, int poolSize) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername("sa");
        config.setPassword("");
        config.setMaximumPoolSize(poolSize);
        config.setPoolName("audit-test");
        HikariDataSource ds = new HikariDataSource(config);
        Flyway.configure().dataSource(ds).locations("classpath:db/migration/audit").load().migrate();
        return new AuditStore(ds);
    }

    long count(String table) {
        return longQuery("SELECT COUNT(*) FROM " + table);
    }

    long longQuery(String sql) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    void execute(String sql) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    @Override
    public void close() {
        ds.close();
    }
}

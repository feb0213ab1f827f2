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
    /** The PostgreSQL schema of this store, null on H2. */
    private final String schema;

    private AuditStore(HikariDataSource ds, String schema) {
        this.ds = ds;
        this.schema = schema;
    }

    /**
     * A private in-memory H2 database that lives until {@link #close()}; or, when the system property
     * {@code lockbox.audit.postgresUrl} names a PostgreSQL database (user {@code postgres}), a fresh
     * schema there, to run the same tests on PostgreSQL.
     */
    static AuditStore inMemory(String name) {
        return inMemory(name, null);
    }

    /** As {@link #inMemory(String)}, migrated only up to {@code version} (all migrations when null). */
    static AuditStore inMemory(String name, String version) {
        String postgres = postgresUrl();
        if (postgres == null || postgres.isBlank()) {
            return open("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1", "sa", 8, null, version);
        }
        String schema = "t_" + name.toLowerCase().replaceAll("[^a-z0-9]", "_");
        return open(withSchema(postgres, schema), postgresUser(postgres), 8, schema, version);
    }

    /** Applies the audit migrations not applied yet. */
    void migrate() {
        flyway(ds, schema, null).migrate();
    }

    static AuditStore open(String url, int poolSize) {
        return open(url, "sa", poolSize, null, null);
    }

    /** A second pool on the same PostgreSQL schema as {@code inMemory(name)}, or null when the tests run on H2. */
    static AuditStore postgresReplica(String name, int poolSize) {
        String postgres = postgresUrl();
        if (postgres == null || postgres.isBlank()) return null;
        String schema = "t_" + name.toLowerCase().replaceAll("[^a-z0-9]", "_");
        return open(withSchema(postgres, schema), postgresUser(postgres), poolSize, schema, null);
    }

    /**
     * {@code lockbox.audit.postgresUrl}, or the CI cluster's URL in the server suite's PostgreSQL run
     * ({@code lockbox.test.store=postgres}, which skips locally / fails in CI without a cluster).
     */
    private static String postgresUrl() {
        String url = System.getProperty("lockbox.audit.postgresUrl");
        if ((url == null || url.isBlank()) && dev.lockbox.server.testing.TestStore.onPostgres()) {
            url = dev.lockbox.server.testing.TestStore.serverUrl();
        }
        return url;
    }

    /** The URL may already carry parameters, e.g. {@code ?user=lockbox} from {@code .ci/postgres}. */
    private static String withSchema(String url, String schema) {
        return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    /** {@code postgres} unless the URL names its own user (a user in the URL wins anyway). */
    private static String postgresUser(String url) {
        return url.matches(".*[?&]user=.*") ? null : "postgres";
    }

    private static AuditStore open(String url, String user, int poolSize, String schema, String version) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword("");
        config.setMaximumPoolSize(poolSize);
        config.setPoolName("audit-test");
        HikariDataSource ds = new HikariDataSource(config);
        flyway(ds, schema, version).migrate();
        return new AuditStore(ds, schema);
    }

    private static Flyway flyway(HikariDataSource ds, String schema, String version) {
        var flyway = Flyway.configure().dataSource(ds).locations("classpath:db/migration/audit");
        if (schema != null) flyway.schemas(schema).createSchemas(true);
        if (version != null) flyway.target(version);
        return flyway.load();
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

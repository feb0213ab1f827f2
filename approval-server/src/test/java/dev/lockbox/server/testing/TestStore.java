package dev.lockbox.server.testing;

import static org.junit.jupiter.api.Assertions.fail;

import dev.lockbox.server.ServerConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The store a test server runs on. By default the server's own default, an embedded H2 file under
 * its data directory; with {@code -Dlockbox.test.store=postgres} (the {@code postgres-store}
 * surefire execution) a fresh PostgreSQL database with a random name on the cluster named by
 * {@code LOCKBOX_TEST_PG_URL}, dropped on {@link #close()}. Without that variable PostgreSQL tests
 * are skipped with a message, except when {@code CI=true}, where they fail instead of hiding.
 */
public final class TestStore implements AutoCloseable {
    public static final String PROPERTY = "lockbox.test.store";
    public static final String URL_VARIABLE = "LOCKBOX_TEST_PG_URL";

    private final ServerConfig config;
    private final String serverUrl;
    private final String database;

    private TestStore(ServerConfig config, String serverUrl, String database) {
        this.config = config;
        this.serverUrl = serverUrl;
        this.database = database;
    }

    /** True when this test run puts servers on PostgreSQL ({@code -Dlockbox.test.store=postgres}). */
    public static boolean onPostgres() {
        String mode = System.getProperty(PROPERTY, "h2");
        if (mode.equalsIgnoreCase("postgres")) return true;
        if (mode.equalsIgnoreCase("h2")) return false;
        throw new IllegalStateException(PROPERTY + " must be h2 or postgres, not " + mode);
    }

    /** {@code config} as the run's store mode wants it: unchanged on H2, on a fresh database on PostgreSQL. */
    public static TestStore forRun(ServerConfig config) {
        if (!onPostgres() || config.storeUrl() != null) return new TestStore(config, null, null);
        return postgres(config);
    }

    /** {@code config} on a fresh PostgreSQL database, whatever the run's mode (replica tests need a shared store). */
    public static TestStore postgres(ServerConfig config) {
        String serverUrl = serverUrl();
        Properties parsed = org.postgresql.Driver.parseURL(serverUrl, null);
        if (parsed == null) fail(URL_VARIABLE + " is not a PostgreSQL JDBC URL: " + serverUrl);
        String name = "lockbox_server_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection c = DriverManager.getConnection(serverUrl); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            fail("cannot create a test database on " + serverUrl + ": " + e.getMessage(), e);
        }
        String url = "jdbc:postgresql://" + parsed.getProperty("PGHOST") + ":" + parsed.getProperty("PGPORT") + "/" + name;
        return new TestStore(config.withStore(url, parsed.getProperty("user", "postgres"), parsed.getProperty("password", "")),
                serverUrl, name);
    }

    /** The PostgreSQL cluster's URL, or the test is skipped (locally) / failed (CI). */
    public static String serverUrl() {
        String url = System.getenv(URL_VARIABLE);
        if (url == null || url.isBlank()) {
            String why = URL_VARIABLE + " is not set, so the PostgreSQL store tests cannot run; start a throw-away cluster with "
                    + "'d=$(mktemp -d); chmod 755 $d; export $(.ci/postgres start $d)'";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) fail("CI=true: " + why);
            System.err.println("SKIPPED: " + why);
            Assumptions.abort("skipped: " + why);
        }
        return url;
    }

    public ServerConfig config() {
        return config;
    }

    public boolean isPostgres() {
        return database != null;
    }

    /**
     * The command-line flags that put a {@code lockbox-server} process on this store: none on H2
     * (the default store under {@code --data-dir}), {@code --store-url}/{@code --store-user} (and
     * {@code --store-password} when the cluster has one) on PostgreSQL.
     */
    public List<String> serverArgs() {
        if (database == null) return List.of();
        List<String> args = new ArrayList<>(List.of("--store-url", config.storeUrl(), "--store-user", config.storeUser()));
        if (config.storePassword() != null && !config.storePassword().isEmpty()) args.addAll(List.of("--store-password", config.storePassword()));
        return args;
    }

    @Override
    public void close() {
        if (database == null) return;
        try (Connection c = DriverManager.getConnection(serverUrl); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop test database " + database, e);
        }
    }
}

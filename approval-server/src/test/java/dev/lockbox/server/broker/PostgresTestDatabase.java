package dev.lockbox.server.broker;

import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * A fresh PostgreSQL database for one test, on the cluster named by {@code LOCKBOX_TEST_PG_URL}
 * (a superuser URL, e.g. {@code jdbc:postgresql://127.0.0.1:5432/postgres?user=lockbox}; start one
 * with {@code .ci/postgres start DIR}). Without that variable the test is skipped with a message,
 * except when {@code CI=true}: there a missing PostgreSQL fails the build instead of hiding tests.
 */
final class PostgresTestDatabase implements AutoCloseable {
    static final String URL_VARIABLE = "LOCKBOX_TEST_PG_URL";

    private final String serverUrl;
    private final String user;
    private final String password;
    private final String name;
    private final String jdbcUrl;

    private PostgresTestDatabase(String serverUrl, String user, String password, String name, String jdbcUrl) {
        this.serverUrl = serverUrl;
        this.user = user;
        this.password = password;
        this.name = name;
        this.jdbcUrl = jdbcUrl;
    }

    /** The cluster's URL, or the test is skipped (locally) / failed (CI). */
    static String serverUrl() {
        String url = System.getenv(URL_VARIABLE);
        if (url == null || url.isBlank()) {
            String why = URL_VARIABLE + " is not set, so the PostgreSQL tests cannot run; start a throw-away cluster with "
                    + "'d=$(mktemp -d); chmod 755 $d; export $(.ci/postgres start $d)'";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) fail("CI=true: " + why);
            Assumptions.abort("skipped: " + why);
        }
        return url;
    }

    static PostgresTestDatabase create() {
        String serverUrl = serverUrl();
        Properties parsed = org.postgresql.Driver.parseURL(serverUrl, null);
        if (parsed == null) fail(URL_VARIABLE + " is not a PostgreSQL JDBC URL: " + serverUrl);
        String name = "lockbox_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        String user = parsed.getProperty("user", "postgres");
        String password = parsed.getProperty("password", "");
        String jdbcUrl = "jdbc:postgresql://" + parsed.getProperty("PGHOST") + ":" + parsed.getProperty("PGPORT") + "/" + name;
        try (Connection c = DriverManager.getConnection(serverUrl); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            fail("cannot create a test database on " + serverUrl + ": " + e.getMessage(), e);
        }
        return new PostgresTestDatabase(serverUrl, user, password, name, jdbcUrl);
    }

    /** The database's URL, without credentials. */
    String jdbcUrl() {
        return jdbcUrl;
    }

    String user() {
        return user;
    }

    String password() {
        return password;
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, user, password);
    }

    @Override
    public void close() {
        try (Connection c = DriverManager.getConnection(serverUrl); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop test database " + name, e);
        }
    }
}

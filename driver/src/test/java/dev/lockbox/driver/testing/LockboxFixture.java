package dev.lockbox.driver.testing;

import dev.lockbox.fixtures.MutableClock;
import dev.lockbox.driver.LockboxDriver;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;

/**
 * A Lockbox driver over an {@link InMemoryLockboxServer} whose target is a fresh H2 in-memory
 * database with table {@code orders(id, customer, amount)} and {@code customers(id, name)}.
 * {@link #admin()} is a raw connection to the same database, to look behind the driver's back.
 */
public final class LockboxFixture implements AutoCloseable {
    public final MutableClock clock = MutableClock.startingNow();
    public final String h2Url = "jdbc:h2:mem:lockbox-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    public final InMemoryLockboxServer server = new InMemoryLockboxServer("shop", h2Url, clock);
    public final LockboxDriver driver = new LockboxDriver(config -> server, clock);
    private final Connection admin;

    public LockboxFixture() throws SQLException {
        admin = DriverManager.getConnection(h2Url, "sa", "");
        try (Statement s = admin.createStatement()) {
            s.execute("CREATE TABLE orders(id INT AUTO_INCREMENT PRIMARY KEY, customer VARCHAR(50), amount INT)");
            s.execute("CREATE TABLE customers(id INT PRIMARY KEY, name VARCHAR(50))");
            s.execute("INSERT INTO customers VALUES (1, 'ada'), (2, 'bob')");
        }
    }

    public String url(String query) {
        return "jdbc:lockbox://127.0.0.1:9/shop" + (query == null ? "" : "?" + query);
    }

    public Connection connect() throws SQLException {
        return connect(null);
    }

    public Connection connect(String query) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "alice");
        p.setProperty("password", "token-alice");
        return driver.connect(url(query), p);
    }

    public Connection admin() {
        return admin;
    }

    public long count(String where) throws SQLException {
        try (Statement s = admin.createStatement();
             var rs = s.executeQuery("SELECT COUNT(*) FROM orders" + (where == null ? "" : " WHERE " + where))) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public void close() throws SQLException {
        try (Statement s = admin.createStatement()) {
            s.execute("SHUTDOWN");
        } catch (SQLException ignored) {
            // already gone
        }
        admin.close();
    }
}

package dev.lockbox.server.broker;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** A throw-away target database with the sample tables, reached with raw JDBC (no Lockbox in between). */
interface TestTarget extends AutoCloseable {
    /** The same on both targets; unquoted names fold to each database's case. */
    String[] SAMPLE_SCHEMA = {
        "CREATE TABLE orders (id INT PRIMARY KEY, item VARCHAR(100), qty INT)",
        "CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(100))",
        "CREATE TABLE \"MixedCase\" (id INT PRIMARY KEY)",
        "INSERT INTO orders VALUES (1, 'apple', 3), (2, 'pear', 5)",
        "INSERT INTO customers VALUES (1, 'Ada')",
        "INSERT INTO \"MixedCase\" VALUES (7)",
    };

    TargetDatabase database();

    Connection admin() throws SQLException;

    /** Every user or role name on the target, as stored. */
    java.util.Set<String> userNames() throws SQLException;

    default Connection login(String user, String password) throws SQLException {
        return DriverManager.getConnection(database().jdbcUrl(), user, password);
    }

    default void adminExecute(String... sql) throws SQLException {
        try (Connection c = admin(); Statement st = c.createStatement()) {
            for (String s : sql) st.execute(s);
        }
    }

    @Override
    void close();
}

package dev.lockbox.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * The write pattern of a sync driver's audit POST, reduced to three statements on a plain H2 (or any)
 * connection, one commit each: insert the new event, seal the previous one (its sequence and hash),
 * move the chain head. For {@code H2HousekeepingTest} and {@code DurableCommitBenchmark}; the real
 * tables are in {@code db/migration/audit}.
 */
public final class AuditShapedCommits implements AutoCloseable {
    private final Connection c;
    private final PreparedStatement insert;
    private final PreparedStatement seal;
    private final PreparedStatement head;
    private String previous;
    private long sequence;

    /** Creates the tables on {@code c} and turns its auto-commit off. */
    public AuditShapedCommits(Connection c) throws SQLException {
        this.c = c;
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE ev(id VARCHAR(36) PRIMARY KEY, env VARCHAR(40) NOT NULL, seq BIGINT,"
                    + " statement VARCHAR(1000), request_id VARCHAR(40), hash VARCHAR(64), received_at TIMESTAMP)");
            s.execute("CREATE UNIQUE INDEX ev_seq ON ev(env, seq)");
            s.execute("CREATE TABLE head(env VARCHAR(40) PRIMARY KEY, seq BIGINT NOT NULL, hash VARCHAR(64))");
            s.execute("INSERT INTO head VALUES ('sales', 0, NULL)");
        }
        c.setAutoCommit(false);
        insert = c.prepareStatement("INSERT INTO ev VALUES (?, 'sales', NULL, ?, ?, NULL, CURRENT_TIMESTAMP)");
        seal = c.prepareStatement("UPDATE ev SET seq = ?, hash = ? WHERE id = ?");
        head = c.prepareStatement("UPDATE head SET seq = ?, hash = ? WHERE env = 'sales'");
    }

    /** One transaction: the next event, the previous one sealed, the head moved; committed. */
    public void commitNext() throws SQLException {
        String id = UUID.randomUUID().toString();
        insert.setString(1, id);
        insert.setString(2, "SELECT o.id, o.total, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = "
                + (sequence + 1));
        insert.setString(3, "request-" + (sequence % 7));
        insert.executeUpdate();
        if (previous != null) {
            String hash = Integer.toHexString(previous.hashCode()).repeat(8);
            sequence++;
            seal.setLong(1, sequence);
            seal.setString(2, hash);
            seal.setString(3, previous);
            seal.executeUpdate();
            head.setLong(1, sequence);
            head.setString(2, hash);
            head.executeUpdate();
        }
        c.commit();
        previous = id;
    }

    @Override
    public void close() throws SQLException {
        insert.close();
        seal.close();
        head.close();
    }
}

package dev.lockbox.server.broker;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.h2.tools.Server;

/**
 * An in-memory H2 database served over TCP (any free port; H2 refuses non-local clients by
 * default), so grant users log in and get killed over a real network session.
 */
final class H2TestTarget implements TestTarget {
    static final String ADMIN = "SA";
    static final String ADMIN_PASSWORD = "admin-secret-" + UUID.randomUUID();

    private final String adminPassword;
    private Server server;
    private final Connection keeper;
    private final TargetDatabase database;

    private H2TestTarget(String adminPassword, Server server, Connection keeper, TargetDatabase database) {
        this.adminPassword = adminPassword;
        this.server = server;
        this.keeper = keeper;
        this.database = database;
    }

    static H2TestTarget start(String environment) {
        return start(environment, ADMIN_PASSWORD);
    }

    static H2TestTarget start(String environment, String adminPassword) {
        String name = "target-" + UUID.randomUUID();
        try {
            // Created in-process first: the TCP server is not allowed to create databases for clients.
            Connection keeper = DriverManager.getConnection("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1", ADMIN, adminPassword);
            try (Statement st = keeper.createStatement()) {
                for (String s : SAMPLE_SCHEMA) st.execute(s);
            }
            Server server = Server.createTcpServer("-tcpPort", "0", "-tcpDaemon").start();
            String url = "jdbc:h2:tcp://127.0.0.1:" + server.getPort() + "/mem:" + name;
            return new H2TestTarget(adminPassword, server, keeper, TargetDatabase.of(environment, url, ADMIN, adminPassword));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops listening (the database lives on in this JVM): the target is unreachable, its TCP sessions are cut. */
    void goDown() {
        server.stop();
    }

    /** Listens again on the same port, so the same URL reaches the same database. */
    void comeBack() throws SQLException {
        server = Server.createTcpServer("-tcpPort", String.valueOf(server.getPort()), "-tcpDaemon").start();
    }

    @Override
    public TargetDatabase database() {
        return database;
    }

    @Override
    public Connection admin() throws SQLException {
        return DriverManager.getConnection(database.jdbcUrl(), ADMIN, adminPassword);
    }

    @Override
    public Set<String> userNames() throws SQLException {
        Set<String> out = new HashSet<>();
        try (Connection c = admin(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT USER_NAME FROM INFORMATION_SCHEMA.USERS")) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    @Override
    public void close() {
        try (Statement st = keeper.createStatement()) {
            st.execute("SHUTDOWN");
        } catch (SQLException ignored) {
            // already closed
        }
        server.stop();
    }
}

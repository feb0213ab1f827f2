package dev.lockbox.server.broker;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;

/** A fresh PostgreSQL database with the sample tables, administered by the cluster's superuser. */
final class PostgresTestTarget implements TestTarget {
    private final PostgresTestDatabase db;
    private final TargetDatabase database;

    private PostgresTestTarget(PostgresTestDatabase db, TargetDatabase database) {
        this.db = db;
        this.database = database;
    }

    static PostgresTestTarget start(String environment) {
        PostgresTestDatabase db = PostgresTestDatabase.create();
        PostgresTestTarget t = new PostgresTestTarget(db, TargetDatabase.of(environment, db.jdbcUrl(), db.user(), db.password()));
        try {
            t.adminExecute(SAMPLE_SCHEMA);
        } catch (SQLException e) {
            db.close();
            throw new IllegalStateException(e);
        }
        return t;
    }

    @Override
    public TargetDatabase database() {
        return database;
    }

    @Override
    public Connection admin() throws SQLException {
        return db.connect();
    }

    @Override
    public Set<String> userNames() throws SQLException {
        Set<String> out = new HashSet<>();
        try (Connection c = admin(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT rolname FROM pg_roles")) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    @Override
    public void close() {
        db.close();
    }
}

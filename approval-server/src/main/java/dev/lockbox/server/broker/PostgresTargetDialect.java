package dev.lockbox.server.broker;

import dev.lockbox.api.request.AccessLevel;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.PGConnection;

/**
 * PostgreSQL targets. The admin role needs CREATEROLE, membership in {@code pg_signal_backend}
 * and the right to grant on the target's tables (owner), or is a superuser. Roles are
 * cluster-wide; rights are granted in the target database only.
 */
final class PostgresTargetDialect implements TargetDialect {
    static final PostgresTargetDialect INSTANCE = new PostgresTargetDialect();
    /** Enough for a pool or two of one engineer's tools, not enough to exhaust the target. */
    static final int CONNECTION_LIMIT = 25;
    /** How long ending a user's sessions may take before the revocation reports a failure. */
    private static final Duration TERMINATE_WAIT = Duration.ofSeconds(2);

    private PostgresTargetDialect() {}

    @Override
    public String defaultSchema() {
        return "public";
    }

    @Override
    public boolean isSystemSchema(String schema) {
        return schema.startsWith("pg_") || "information_schema".equals(schema);
    }

    @Override
    public String storedName(GrantUserName user) {
        return user.value();
    }

    @Override
    public String createUser(Connection admin, GrantUserName user, String password, GrantSpec grant, GrantedObjects objects)
            throws SQLException {
        H2TargetDialect.requireSafe(password);
        String u = SqlIdentifier.quote(storedName(user));
        String privileges = TargetDialect.tablePrivileges(grant.accessLevel());
        try (Statement st = admin.createStatement()) {
            // NOLOGIN until every grant is in place. NOINHERIT: should anyone later add this role to
            // another role, it does not silently gain that role's rights.
            st.execute("CREATE ROLE " + u + " NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS"
                    + " CONNECTION LIMIT " + CONNECTION_LIMIT
                    + (grant.accessExpiresAt() == null ? "" : " VALID UNTIL '" + DateTimeFormatter.ISO_INSTANT.format(grant.accessExpiresAt()) + "'"));
            // The driver hashes the password (SCRAM) before sending it, so the plain text never
            // reaches the server's statement log.
            admin.unwrap(PGConnection.class).alterUserPassword(storedName(user), password.toCharArray(), "scram-sha-256");
            st.execute("GRANT CONNECT ON DATABASE " + SqlIdentifier.quote(currentDatabase(admin)) + " TO " + u);
            for (String schema : objects.schemas()) {
                refuseIfPublicCanCreate(admin, user, schema);
                st.execute("GRANT USAGE ON SCHEMA " + SqlIdentifier.quote(schema) + " TO " + u);
            }
            if (objects.isWholeSchema()) {
                String s = SqlIdentifier.quote(objects.schema());
                st.execute("GRANT " + privileges + " ON ALL TABLES IN SCHEMA " + s + " TO " + u);
                if (grant.accessLevel() == AccessLevel.READ_WRITE) {
                    // nextval() behind serial columns needs USAGE on their sequences.
                    st.execute("GRANT USAGE ON ALL SEQUENCES IN SCHEMA " + s + " TO " + u);
                }
            } else {
                for (GrantedObjects.Table t : objects.tables()) {
                    st.execute("GRANT " + privileges + " ON TABLE " + SqlIdentifier.quote(t.schema(), t.name()) + " TO " + u);
                    if (grant.accessLevel() == AccessLevel.READ_WRITE) {
                        for (GrantedObjects.Table seq : serialSequences(admin, t)) {
                            st.execute("GRANT USAGE ON SEQUENCE " + SqlIdentifier.quote(seq.schema(), seq.name()) + " TO " + u);
                        }
                    }
                }
            }
            st.execute("ALTER ROLE " + u + " LOGIN");
        }
        return privileges + " on " + objects.describe();
    }

    @Override
    public boolean userExists(Connection admin, GrantUserName user) throws SQLException {
        try (PreparedStatement ps = admin.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
            ps.setString(1, storedName(user));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    @Override
    public void disableLogin(Connection admin, GrantUserName user) throws SQLException {
        try (Statement st = admin.createStatement()) {
            st.execute("ALTER ROLE " + SqlIdentifier.quote(storedName(user)) + " NOLOGIN");
        }
    }

    @Override
    public int endSessions(Connection admin, GrantUserName user) throws SQLException {
        // Signal every backend at once, then wait for all of them together: pg_terminate_backend's
        // own timeout waits per backend in 100 ms steps, which adds up with a pool of sessions.
        int signalled;
        try (PreparedStatement ps = admin.prepareStatement(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = ? AND pid <> pg_backend_pid()")) {
            ps.setString(1, storedName(user));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                signalled = rs.getInt(1);
            }
        }
        if (signalled > 0) awaitNoSessions(admin, user);
        return signalled;
    }

    /** Polls until no backend of the user is left (login is already disabled, so none can appear). */
    private void awaitNoSessions(Connection admin, GrantUserName user) throws SQLException {
        long deadline = System.nanoTime() + TERMINATE_WAIT.toNanos();
        try (PreparedStatement ps = admin.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE usename = ?")) {
            ps.setString(1, storedName(user));
            while (true) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) == 0) return;
                }
                if (System.nanoTime() > deadline) {
                    throw new SQLException("sessions of " + user + " were signalled but are still running after " + TERMINATE_WAIT.toMillis() + " ms");
                }
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("interrupted while ending the sessions of " + user, e);
                }
            }
        }
    }

    @Override
    public void dropUser(Connection admin, GrantUserName user) throws SQLException {
        if (!userExists(admin, user)) return;
        String u = SqlIdentifier.quote(storedName(user));
        try (Statement st = admin.createStatement()) {
            // Revokes its rights in this database and on shared objects (CONNECT), drops anything it
            // owns here (it can own nothing but temporary objects); then the role can go.
            st.execute("DROP OWNED BY " + u);
            st.execute("DROP ROLE IF EXISTS " + u);
        }
    }

    @Override
    public List<GrantUserName> brokerUsers(Connection admin) throws SQLException {
        List<GrantUserName> out = new ArrayList<>();
        try (Statement st = admin.createStatement();
             ResultSet rs = st.executeQuery("SELECT rolname FROM pg_roles WHERE rolname LIKE 'lockbox\\_g\\_%' ESCAPE '\\'")) {
            while (rs.next()) GrantUserName.parse(rs.getString(1)).ifPresent(out::add);
        }
        return out;
    }

    /**
     * Before PostgreSQL 15 every role may CREATE in schema public. A READ_ONLY user that can create
     * tables is not read-only, so the broker refuses rather than hand one out.
     */
    private void refuseIfPublicCanCreate(Connection admin, GrantUserName user, String schema) throws SQLException {
        try (PreparedStatement ps = admin.prepareStatement("SELECT has_schema_privilege(?, ?, 'CREATE')")) {
            ps.setString(1, storedName(user));
            ps.setString(2, schema);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getBoolean(1)) {
                    throw new BrokerException("every role may create objects in schema " + schema + " of this target; run "
                            + "REVOKE CREATE ON SCHEMA " + SqlIdentifier.quote(schema) + " FROM PUBLIC (PostgreSQL's default since 15) "
                            + "before Lockbox issues users for it");
                }
            }
        }
    }

    private static String currentDatabase(Connection admin) throws SQLException {
        try (Statement st = admin.createStatement(); ResultSet rs = st.executeQuery("SELECT current_database()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static List<GrantedObjects.Table> serialSequences(Connection admin, GrantedObjects.Table table) throws SQLException {
        // Sequences owned by a column of the table (serial, deptype 'a'); identity columns ('i')
        // need no sequence rights for INSERT.
        String sql = "SELECT sn.nspname, s.relname FROM pg_class s"
                + " JOIN pg_namespace sn ON sn.oid = s.relnamespace"
                + " JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid"
                + "  AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a'"
                + " JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = t.relnamespace"
                + " WHERE s.relkind = 'S' AND tn.nspname = ? AND t.relname = ?";
        List<GrantedObjects.Table> out = new ArrayList<>();
        try (PreparedStatement ps = admin.prepareStatement(sql)) {
            ps.setString(1, table.schema());
            ps.setString(2, table.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(new GrantedObjects.Table(rs.getString(1), rs.getString(2)));
            }
        }
        return out;
    }
}

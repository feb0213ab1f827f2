package dev.lockbox.server.broker;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * H2 2.x targets. The admin user must have ADMIN rights. Whole-schema grants use H2's
 * {@code GRANT … ON SCHEMA}, which also covers tables created later in that schema.
 */
final class H2TargetDialect implements TargetDialect {
    static final H2TargetDialect INSTANCE = new H2TargetDialect();

    private H2TargetDialect() {}

    @Override
    public String defaultSchema() {
        return "PUBLIC";
    }

    @Override
    public boolean isSystemSchema(String schema) {
        return "INFORMATION_SCHEMA".equals(schema);
    }

    @Override
    public String storedName(GrantUserName user) {
        // H2 upper-cases the user name given at login, so the stored name must be upper case.
        return user.value().toUpperCase(Locale.ROOT);
    }

    @Override
    public String createUser(Connection admin, GrantUserName user, String password, GrantSpec grant, GrantedObjects objects)
            throws SQLException {
        requireSafe(password);
        String u = SqlIdentifier.quote(storedName(user));
        String privileges = TargetDialect.tablePrivileges(grant.accessLevel());
        try (Statement st = admin.createStatement()) {
            // H2 has no NOLOGIN: the user exists with a throw-away password until its rights are complete.
            st.execute("CREATE USER " + u + " PASSWORD '" + GrantPassword.random() + "'");
            if (objects.isWholeSchema()) {
                st.execute("GRANT " + privileges + " ON SCHEMA " + SqlIdentifier.quote(objects.schema()) + " TO " + u);
            } else {
                for (GrantedObjects.Table t : objects.tables()) {
                    st.execute("GRANT " + privileges + " ON " + SqlIdentifier.quote(t.schema(), t.name()) + " TO " + u);
                }
            }
            st.execute("ALTER USER " + u + " SET PASSWORD '" + password + "'");
        }
        return privileges + " on " + objects.describe();
    }

    @Override
    public boolean userExists(Connection admin, GrantUserName user) throws SQLException {
        try (PreparedStatement ps = admin.prepareStatement("SELECT COUNT(*) FROM INFORMATION_SCHEMA.USERS WHERE USER_NAME = ?")) {
            ps.setString(1, storedName(user));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1) > 0;
            }
        }
    }

    @Override
    public void disableLogin(Connection admin, GrantUserName user) throws SQLException {
        try (Statement st = admin.createStatement()) {
            st.execute("ALTER USER " + SqlIdentifier.quote(storedName(user)) + " SET PASSWORD '" + GrantPassword.random() + "'");
        }
    }

    @Override
    public int endSessions(Connection admin, GrantUserName user) throws SQLException {
        List<Integer> ids = new ArrayList<>();
        try (PreparedStatement ps = admin.prepareStatement("SELECT SESSION_ID FROM INFORMATION_SCHEMA.SESSIONS WHERE USER_NAME = ?")) {
            ps.setString(1, storedName(user));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) ids.add(rs.getInt(1));
            }
        }
        int ended = 0;
        try (PreparedStatement abort = admin.prepareStatement("CALL ABORT_SESSION(?)")) {
            for (int id : ids) {
                abort.setInt(1, id);
                try (ResultSet rs = abort.executeQuery()) {
                    if (rs.next() && rs.getBoolean(1)) ended++;
                }
            }
        }
        return ended;
    }

    @Override
    public void dropUser(Connection admin, GrantUserName user) throws SQLException {
        try (Statement st = admin.createStatement()) {
            st.execute("DROP USER IF EXISTS " + SqlIdentifier.quote(storedName(user)));
        }
    }

    @Override
    public List<GrantUserName> brokerUsers(Connection admin) throws SQLException {
        List<GrantUserName> out = new ArrayList<>();
        try (Statement st = admin.createStatement();
             ResultSet rs = st.executeQuery("SELECT USER_NAME FROM INFORMATION_SCHEMA.USERS WHERE USER_NAME LIKE 'LOCKBOX\\_G\\_%' ESCAPE '\\'")) {
            while (rs.next()) GrantUserName.parse(rs.getString(1)).ifPresent(out::add);
        }
        return out;
    }

    static void requireSafe(String password) {
        if (!GrantPassword.isSafe(password)) {
            throw new IllegalArgumentException("refusing a password that is not a broker-generated one");
        }
    }
}

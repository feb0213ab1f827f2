package dev.lockbox.server.broker;

import dev.lockbox.api.request.AccessLevel;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * How one kind of target database creates, disables and drops grant users. Every method runs on
 * the target's admin connection in auto-commit mode. User names are {@link GrantUserName}s
 * (validated shape) and are quoted anyway; object names come from the target's catalog.
 */
interface TargetDialect {
    static TargetDialect forUrl(String jdbcUrl) {
        if (jdbcUrl.startsWith("jdbc:h2:")) return H2TargetDialect.INSTANCE;
        if (jdbcUrl.startsWith("jdbc:postgresql:")) return PostgresTargetDialect.INSTANCE;
        throw new IllegalArgumentException("the credential broker supports H2 (jdbc:h2:) and PostgreSQL (jdbc:postgresql:) targets, not '"
                + GrantSpec.shorten(jdbcUrl.replaceAll("[;?].*", "")) + "'");
    }

    /** The table privileges of an access level; nothing administrative, no TRUNCATE, no REFERENCES. */
    static String tablePrivileges(AccessLevel level) {
        return switch (level) {
            case READ_ONLY -> "SELECT";
            case READ_WRITE -> "SELECT, INSERT, UPDATE, DELETE";
        };
    }

    String defaultSchema();

    boolean isSystemSchema(String schema);

    /** The name the target stores for this user (H2 folds unquoted names to upper case, PostgreSQL to lower). */
    String storedName(GrantUserName user);

    /**
     * Creates the user with a password and exactly the rights of {@code level} on {@code objects}.
     * The user can log in only once all its grants are in place. Returns a description of the rights.
     */
    String createUser(Connection admin, GrantUserName user, String password, GrantSpec grant, GrantedObjects objects)
            throws SQLException;

    boolean userExists(Connection admin, GrantUserName user) throws SQLException;

    /** Stops new logins of the user, so sessions cannot be reopened while the old ones are ended. */
    void disableLogin(Connection admin, GrantUserName user) throws SQLException;

    /** Ends every session of the user; returns how many were ended. */
    int endSessions(Connection admin, GrantUserName user) throws SQLException;

    /** Drops the user and every right it holds; no-op when it does not exist. */
    void dropUser(Connection admin, GrantUserName user) throws SQLException;

    /** Every user on the target with the broker's exact name shape. */
    List<GrantUserName> brokerUsers(Connection admin) throws SQLException;
}

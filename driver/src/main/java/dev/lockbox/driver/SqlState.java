package dev.lockbox.driver;

import java.sql.SQLException;
import java.sql.SQLInvalidAuthorizationSpecException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTransientConnectionException;

/**
 * The SQLStates the driver raises itself (docs/driver.md lists them). Each maps to the JDBC 4
 * exception subclass tools and pools already understand (HikariCP evicts a connection on class 08).
 */
public enum SqlState {
    /** No active grant, the grant ended, or the server did not accept the user/token. */
    NO_GRANT("28000"),
    /** Connecting failed: bad URL or property, server unreachable or answering garbage. */
    CANNOT_CONNECT("08001"),
    /** The connection was closed (by the caller, or by Lockbox when the grant ended). */
    CONNECTION_CLOSED("08003"),
    /** The audit log or the grant state cannot be confirmed with the server: fail closed. */
    SERVER_UNAVAILABLE("08006"),
    /** The grant does not allow the statement, or a caller tried to reach the vendor object. */
    ACCESS_DENIED("42501");

    private final String code;

    SqlState(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }

    public SQLException exception(String message) {
        return exception(message, null);
    }

    public SQLException exception(String message, Throwable cause) {
        return switch (this) {
            case NO_GRANT -> new SQLInvalidAuthorizationSpecException(message, code, cause);
            case CANNOT_CONNECT, CONNECTION_CLOSED -> new SQLNonTransientConnectionException(message, code, cause);
            case SERVER_UNAVAILABLE -> new SQLTransientConnectionException(message, code, cause);
            case ACCESS_DENIED -> new SQLSyntaxErrorException(message, code, cause);
        };
    }
}

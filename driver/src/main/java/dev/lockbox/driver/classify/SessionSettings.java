package dev.lockbox.driver.classify;

import java.util.Locale;
import java.util.Set;
import net.sf.jsqlparser.statement.SetStatement;

/**
 * Session settings a read-write grant may change with SET: timeouts, formatting and client
 * bookkeeping. Everything else (roles, session authorization, search_path, H2 database settings
 * such as EXCLUSIVE or REFERENTIAL_INTEGRITY) could widen what the session can reach or weaken the
 * database's own checks, so it is refused.
 */
final class SessionSettings {
    private SessionSettings() {}

    private static final Set<String> HARMLESS = Set.of(
            "STATEMENT_TIMEOUT", "LOCK_TIMEOUT", "IDLE_IN_TRANSACTION_SESSION_TIMEOUT", "APPLICATION_NAME",
            "TIMEZONE", "TIME ZONE", "DATESTYLE", "INTERVALSTYLE", "CLIENT_ENCODING", "EXTRA_FLOAT_DIGITS",
            "CLIENT_MIN_MESSAGES", "BYTEA_OUTPUT", "QUERY_TIMEOUT", "AUTOCOMMIT", "TRANSACTION");

    /** "SET NAME" for a parsed SET statement; "SET A, B" when one statement sets several. */
    static String action(SetStatement set) {
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < set.getCount(); i++) {
            Object name = set.getName(i);
            String n = name == null ? "" : ObjectNames.unquote(name.toString().trim()).toUpperCase(Locale.ROOT);
            if (!n.isEmpty()) {
                names.append(names.length() == 0 ? "" : ", ").append(n);
            }
        }
        return names.length() == 0 ? "SET" : "SET " + names;
    }

    /** Whether an action produced by {@link #action} only changes a harmless session setting. */
    static boolean isHarmlessSet(String action) {
        if (!action.startsWith("SET ")) {
            return false;
        }
        for (String setting : action.substring(4).split(", ")) {
            String name = setting;
            if (name.startsWith("SESSION ") || name.startsWith("LOCAL ")) {
                name = name.substring(name.indexOf(' ') + 1);
            }
            if (!HARMLESS.contains(name)) {
                return false;
            }
        }
        return true;
    }
}

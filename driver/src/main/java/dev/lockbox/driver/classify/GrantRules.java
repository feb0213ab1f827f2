package dev.lockbox.driver.classify;

import dev.lockbox.api.audit.ActionClass;
import dev.lockbox.api.request.AccessLevel;
import java.util.List;
import java.util.Set;

/**
 * Decides whether a grant (level and scope) allows a classified statement; the rules are written
 * out in docs/statement-rules.md.
 *
 * <ul>
 *   <li>READ_ONLY allows only statements proven read-only (including transaction control).</li>
 *   <li>READ_WRITE allows reads, row writes (INSERT, UPDATE, DELETE, MERGE, UPSERT), function
 *       and procedure calls and harmless session settings; it refuses DDL, TRUNCATE, role and
 *       privilege changes, security-relevant SET, and the H2 administrative commands that reach
 *       server files or run SQL the driver never sees (DESIGN.md: read-write credentials hold
 *       SELECT, INSERT, UPDATE and DELETE only).</li>
 *   <li>SQL the parser cannot read is refused unless the grant is READ_WRITE and unscoped.</li>
 *   <li>A scoped grant refuses any object outside its scope and any call of a function that is
 *       not on the read-only allow-list (it could read other tables).</li>
 *   <li>Texts that SQL dialects read differently ({@code AMBIGUOUS}) are refused for every grant.</li>
 * </ul>
 */
public final class GrantRules {
    private GrantRules() {}

    /** Commands that read or write files on the database server or run SQL the driver never sees. */
    private static final Set<String> ADMINISTRATIVE = Set.of("SCRIPT", "RUNSCRIPT", "BACKUP", "RESTORE",
            "SHUTDOWN", "CHECKPOINT", "LOAD");

    public static AccessDecision decide(Classification c, AccessLevel level, List<String> scope) {
        if (c == null || level == null) {
            return AccessDecision.deny("the statement could not be classified, so no grant can allow it");
        }
        GrantScope grantScope = GrantScope.of(scope);
        List<String> actions = List.of(c.action().split(";"));
        if (actions.contains(StatementClassifier.AMBIGUOUS)) {
            return AccessDecision.deny("this SQL text is read differently by different SQL dialects (nested block "
                    + "comments or a backslash before a quote), so the driver cannot tell what it does; rewrite it");
        }
        if (level == AccessLevel.READ_ONLY) {
            AccessDecision readOnly = readOnly(c);
            if (!readOnly.allowed()) {
                return readOnly;
            }
        } else {
            AccessDecision readWrite = readWrite(c, actions, grantScope);
            if (!readWrite.allowed()) {
                return readWrite;
            }
        }
        return grantScope.check(c);
    }

    private static AccessDecision readOnly(Classification c) {
        if (!c.parsed()) {
            return AccessDecision.deny("read-only grant: the driver could not parse this SQL ("
                    + describe(c) + "), so it cannot prove that it only reads");
        }
        if (c.provenReadOnly()) {
            return AccessDecision.ALLOW;
        }
        String what = describe(c);
        String reason = switch (c.actionClass()) {
            case WRITE -> what + " is a write";
            case DDL -> what + " changes the schema (DDL)";
            case ROLE -> what + " changes roles or privileges";
            case FUNCTION -> {
                String routine = c.objects().stream().filter(o -> o.endsWith("()")).findFirst().orElse(null);
                yield routine != null
                        ? what + " calls " + routine + ", which is not on the read-only function allow-list"
                        : what + " calls a function that may have side effects";
            }
            case MISC -> what + " is not a read";
            case READ -> what.contains("FOR UPDATE") || what.contains("FOR SHARE")
                    ? what + " locks rows"
                    : what + " cannot be proven read-only";
        };
        return AccessDecision.deny("read-only grant: " + reason);
    }

    private static AccessDecision readWrite(Classification c, List<String> actions, GrantScope scope) {
        for (String action : actions) {
            String head = action.split(" ")[0];
            if (ADMINISTRATIVE.contains(head)) {
                return AccessDecision.deny("read-write grant: " + action
                        + " is an administrative command that reaches server files or runs SQL the driver cannot see");
            }
            if (head.equals("SET") && !SessionSettings.isHarmlessSet(action)) {
                return AccessDecision.deny("read-write grant: " + action
                        + " changes a session security setting; only timeouts, time zone, formats and the"
                        + " application name may be set");
            }
            if (head.equals("RESET") || head.equals("USE")) {
                return AccessDecision.deny("read-write grant: " + action + " changes the session's settings");
            }
        }
        if (actions.stream().anyMatch(a -> a.startsWith("TRUNCATE"))) {
            return AccessDecision.deny("read-write grant: TRUNCATE empties whole tables; this grant allows"
                    + " INSERT, UPDATE and DELETE of rows only");
        }
        if (c.actionClass() == ActionClass.DDL) {
            return AccessDecision.deny("read-write grant: " + describe(c)
                    + " changes the schema (DDL); this grant allows reading and writing rows only");
        }
        if (c.actionClass() == ActionClass.ROLE) {
            return AccessDecision.deny("read-write grant: " + describe(c) + " changes roles or privileges");
        }
        if (!c.parsed() && !scope.wholeDatabase()) {
            return AccessDecision.deny("scoped grant: the driver could not parse this SQL (" + describe(c)
                    + "), so it cannot check which tables it touches");
        }
        return AccessDecision.ALLOW;
    }

    /** "UPDATE", or "SELECT; DROP TABLE" for several statements, for use in a sentence. */
    static String describe(Classification c) {
        return c.action().replace(";", "; ");
    }
}

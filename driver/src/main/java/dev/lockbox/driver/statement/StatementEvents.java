package dev.lockbox.driver.statement;

import dev.lockbox.api.audit.ActionClass;
import dev.lockbox.api.audit.AuditEventSubmission;
import dev.lockbox.api.audit.Decision;
import dev.lockbox.driver.classify.Classification;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the audit events of one session's statements: the session's identity plus what the
 * statement is, fitted to the server's batch rules (docs/audit-log.md) so a valid statement never
 * fails closed on an audit-format detail.
 */
public final class StatementEvents {
    private final String requestId;
    private final String database;
    private final String dbUser;
    private final String sessionId;
    private final String clientHost;
    private final String applicationName;
    private final Clock clock;

    public StatementEvents(String requestId, String database, String dbUser, String sessionId, String clientHost,
                           String applicationName, Clock clock) {
        this.requestId = requestId;
        this.database = database;
        this.dbUser = dbUser;
        this.sessionId = sessionId;
        this.clientHost = clientHost;
        this.applicationName = applicationName;
        this.clock = clock;
    }

    private static final int MAX_ACTION = 64;
    private static final int MAX_OBJECTS = 1000;
    private static final int MAX_OBJECT_NAME = 512;
    private static final int MAX_DENY_REASON = 4000;

    /** What an event says about its statement, fitted to the server's rules; the same for every text of a shape. */
    private record Fitted(String action, ActionClass actionClass, List<String> objects) {}

    private static final Fitted UNCLASSIFIED = new Fitted("UNKNOWN", ActionClass.MISC, List.of());

    private final ClassificationMemo<Fitted> fitted = new ClassificationMemo<>(c -> new Fitted(action(c.action()),
            c.actionClass() != null ? c.actionClass() : ActionClass.MISC, objects(c.objects())));

    public AuditEventSubmission event(AuditedSql sql, Decision decision, String denyReason) {
        Classification c = sql.classification();
        Fitted f = c == null ? UNCLASSIFIED : fitted.get(c);
        return new AuditEventSubmission(sql.eventId(), clock.instant(), requestId, database, dbUser, sessionId,
                clientHost, applicationName, f.action(), f.actionClass(), f.objects(),
                sql.sql() != null ? sql.sql() : "", sql.parameters(), decision,
                denyReason == null || denyReason.length() <= MAX_DENY_REASON ? denyReason
                        : denyReason.substring(0, MAX_DENY_REASON - 3) + "...");
    }

    /**
     * The server accepts an upper-case command name ({@code [A-Z][A-Z0-9_ ]*}, at most 64
     * characters); a multi-statement text's actions ({@code "INSERT;DELETE"}) travel space-separated.
     */
    static String action(String action) {
        if (action == null) {
            return "UNKNOWN";
        }
        StringBuilder sb = new StringBuilder(action.length());
        for (int i = 0; i < action.length(); i++) {
            char ch = Character.toUpperCase(action.charAt(i));
            boolean ok = (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
            if (ok) {
                sb.append(ch);
            } else if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ' ') {
                sb.append(' ');
            }
        }
        String s = sb.toString().trim();
        if (s.length() > MAX_ACTION) {
            int cut = s.lastIndexOf(' ', MAX_ACTION);
            s = s.substring(0, cut > 0 ? cut : MAX_ACTION).trim();
        }
        return s.isEmpty() || s.charAt(0) < 'A' || s.charAt(0) > 'Z' ? "UNKNOWN" : s;
    }

    private static List<String> objects(List<String> objects) {
        if (objects == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>(Math.min(objects.size(), MAX_OBJECTS));
        for (String o : objects) {
            if (out.size() == MAX_OBJECTS) {
                break;
            }
            if (o != null && !o.isBlank()) {
                out.add(o.length() > MAX_OBJECT_NAME ? o.substring(0, MAX_OBJECT_NAME) : o);
            }
        }
        return List.copyOf(out); // shared by the events of one shape: immutable
    }
}

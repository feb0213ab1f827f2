package dev.lockbox.driver.statement;

import dev.lockbox.api.audit.ActionClass;
import dev.lockbox.api.audit.AuditEventSubmission;
import dev.lockbox.api.audit.Decision;
import dev.lockbox.driver.classify.Classification;
import java.time.Clock;

/** Builds the audit events of one session's statements: the session's identity plus what the statement is. */
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

    public AuditEventSubmission event(AuditedSql sql, Decision decision, String denyReason) {
        Classification c = sql.classification();
        return new AuditEventSubmission(sql.eventId(), clock.instant(), requestId, database, dbUser, sessionId,
                clientHost, applicationName,
                c != null ? c.action() : "UNKNOWN",
                c != null ? c.actionClass() : ActionClass.MISC,
                c != null ? c.objects() : java.util.List.of(),
                sql.sql(), sql.parameters(), decision, denyReason);
    }
}

package dev.lockbox.driver.statement;

import dev.lockbox.api.audit.AuditEventSubmission;
import dev.lockbox.api.audit.Decision;
import dev.lockbox.driver.audit.AuditSink;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Records the ALLOWED events before the database sees the statement (fail-closed: no event, no statement). */
public final class AuditBefore implements StatementStep {
    private final AuditSink sink;
    private final StatementEvents events;

    public AuditBefore(AuditSink sink, StatementEvents events) {
        this.sink = sink;
        this.events = events;
    }

    @Override
    public Object apply(StatementExecution execution, Chain chain) throws SQLException {
        sink.admit();
        List<AuditedSql> statements = execution.statements();
        List<AuditEventSubmission> batch = new ArrayList<>(statements.size());
        for (AuditedSql sql : statements) {
            batch.add(events.event(sql, Decision.ALLOWED, null));
        }
        sink.record(batch);
        return chain.proceed(execution);
    }
}

package dev.lockbox.driver.statement;

import dev.lockbox.api.audit.AuditOutcome;
import dev.lockbox.driver.audit.AuditSink;
import java.sql.SQLException;

/** Times the database call and queues its outcome (succeeded, rows affected, error, duration) per event. */
public final class RecordOutcome implements StatementStep {
    private static final int MAX_ERROR = 2000;

    private final AuditSink sink;

    public RecordOutcome(AuditSink sink) {
        this.sink = sink;
    }

    @Override
    public Object apply(StatementExecution execution, Chain chain) throws SQLException {
        long start = System.nanoTime();
        Object result;
        try {
            result = chain.proceed(execution);
        } catch (SQLException | RuntimeException e) {
            double ms = (System.nanoTime() - start) / 1e6;
            String error = describe(e);
            for (AuditedSql sql : execution.statements()) {
                sink.outcome(new AuditOutcome(sql.eventId(), false, null, error, ms));
            }
            throw e;
        }
        double ms = (System.nanoTime() - start) / 1e6;
        Long[] rows;
        try {
            rows = execution.rowsAffected(result);
        } catch (SQLException e) {
            rows = new Long[0];
        }
        int i = 0;
        for (AuditedSql sql : execution.statements()) {
            Long n = i < rows.length ? rows[i] : null;
            sink.outcome(new AuditOutcome(sql.eventId(), true, n, null, ms));
            i++;
        }
        return result;
    }

    private static String describe(Exception e) {
        String s = e instanceof SQLException sql && sql.getSQLState() != null
                ? sql.getSQLState() + ": " + sql.getMessage() : String.valueOf(e.getMessage());
        return s.length() > MAX_ERROR ? s.substring(0, MAX_ERROR) + "..." : s;
    }
}

package dev.lockbox.driver.statement;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * One call that may reach the database (an execute, a batch, or adding to a batch) as it passes the
 * steps of a {@link StatementPipeline}. Built by the JDBC wrappers, which know how to make the raw
 * call and how to read rows affected from its result.
 */
public final class StatementExecution {
    /** The raw JDBC call, made by the last step. */
    @FunctionalInterface
    public interface DatabaseCall {
        Object call() throws SQLException;
    }

    /** Rows affected per audited SQL, read from the raw call's result (null entries: unknown). */
    @FunctionalInterface
    public interface RowsAffected {
        Long[] of(Object result, int statements) throws SQLException;
    }

    private final List<AuditedSql> statements;
    private final DatabaseCall call;
    private final RowsAffected rows;

    public StatementExecution(List<AuditedSql> statements, DatabaseCall call, RowsAffected rows) {
        this.statements = new ArrayList<>(statements);
        this.call = call;
        this.rows = rows;
    }

    public List<AuditedSql> statements() {
        return statements;
    }

    void replace(int index, AuditedSql sql) {
        statements.set(index, sql);
    }

    Object callDatabase() throws SQLException {
        return call.call();
    }

    Long[] rowsAffected(Object result) throws SQLException {
        return rows.of(result, statements.size());
    }

    /** For single-statement calls: executeUpdate (int), executeLargeUpdate (long), executeQuery (null). */
    public static Long[] singleCount(Object result, int statements) {
        Long n = result instanceof Number number ? number.longValue() : null;
        return new Long[] {n};
    }
}

package dev.lockbox.driver.statement;

import java.sql.SQLException;
import java.util.List;

/** Ordered {@link StatementStep}s ending in the raw database call. Immutable, shared by a session's statements. */
public final class StatementPipeline {
    private final StatementStep[] steps;

    public StatementPipeline(List<StatementStep> steps) {
        this.steps = steps.toArray(StatementStep[]::new);
    }

    public Object run(StatementExecution execution) throws SQLException {
        return proceed(0, execution);
    }

    private Object proceed(int index, StatementExecution execution) throws SQLException {
        if (index == steps.length) {
            return execution.callDatabase();
        }
        return steps[index].apply(execution, next -> proceed(index + 1, next));
    }
}

package dev.lockbox.driver.statement;

import dev.lockbox.driver.grant.GrantWatch;
import java.sql.SQLException;

/** First step: no statement runs once the grant has ended or while its state cannot be confirmed. */
public final class GrantCheck implements StatementStep {
    private final GrantWatch watch;
    private final long confirmTimeoutMs;

    public GrantCheck(GrantWatch watch, long confirmTimeoutMs) {
        this.watch = watch;
        this.confirmTimeoutMs = confirmTimeoutMs;
    }

    @Override
    public Object apply(StatementExecution execution, Chain chain) throws SQLException {
        watch.check(confirmTimeoutMs);
        return chain.proceed(execution);
    }
}

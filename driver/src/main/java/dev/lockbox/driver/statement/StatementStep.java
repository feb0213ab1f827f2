package dev.lockbox.driver.statement;

import java.sql.SQLException;

/**
 * One step of the Lockbox statement chain (classify, authorize, audit, record outcome). A step may
 * short-circuit by throwing (a refusal) or call {@link Chain#proceed} to run the rest, as OkHttp's
 * interceptors do.
 */
@FunctionalInterface
public interface StatementStep {
    Object apply(StatementExecution execution, Chain chain) throws SQLException;

    @FunctionalInterface
    interface Chain {
        Object proceed(StatementExecution execution) throws SQLException;
    }
}

package dev.lockbox.driver.jdbc;

import dev.lockbox.driver.session.LockboxSession;
import java.lang.reflect.Method;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * A result set: {@code getStatement()} answers the statement wrapper (null for metadata result
 * sets, as JDBC allows). Every call, {@code next()} included, passes the session check, so a result
 * set stops as soon as the grant ends.
 */
final class ResultSetProxy extends JdbcProxy {
    private final Statement statement;

    private ResultSetProxy(LockboxSession session, ResultSet delegate, Statement statement) {
        super(session, delegate);
        this.statement = statement;
    }

    static ResultSet wrap(LockboxSession session, ResultSet rs, Statement statement) {
        return rs == null ? null : create(ResultSet.class, new ResultSetProxy(session, rs, statement));
    }

    @Override
    Object intercept(String name, Method method, Object[] args) {
        if (name.equals("getStatement") && args == null) {
            return statement;
        }
        return PASS;
    }

    @Override
    Statement owningStatement() {
        return statement;
    }
}

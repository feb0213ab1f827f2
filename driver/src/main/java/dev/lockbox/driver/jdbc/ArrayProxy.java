package dev.lockbox.driver.jdbc;

import dev.lockbox.driver.session.LockboxSession;
import java.lang.reflect.Method;
import java.sql.Array;
import java.sql.Statement;

/**
 * A SQL array: its {@code getResultSet} overloads answer wrapped result sets (pgjdbc builds them on
 * an internal statement whose {@code getConnection()} would be the vendor connection).
 */
final class ArrayProxy extends JdbcProxy {
    private ArrayProxy(LockboxSession session, Array delegate) {
        super(session, delegate);
    }

    static Array wrap(LockboxSession session, Array array) {
        return create(Array.class, new ArrayProxy(session, array));
    }

    @Override
    Object intercept(String name, Method method, Object[] args) {
        return PASS;
    }

    @Override
    Statement owningStatement() {
        return null;
    }
}

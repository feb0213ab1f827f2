package dev.lockbox.driver.jdbc;

import dev.lockbox.driver.session.LockboxSession;
import java.lang.reflect.Method;
import java.sql.DatabaseMetaData;
import java.sql.Statement;

/** Database metadata: {@code getConnection()} answers the Lockbox connection, {@code getURL()} the Lockbox URL. */
final class MetaDataProxy extends JdbcProxy {
    private MetaDataProxy(LockboxSession session, DatabaseMetaData delegate) {
        super(session, delegate);
    }

    static DatabaseMetaData wrap(LockboxSession session, DatabaseMetaData md) {
        return md == null ? null : create(DatabaseMetaData.class, new MetaDataProxy(session, md));
    }

    @Override
    Object intercept(String name, Method method, Object[] args) {
        if (args == null) {
            if (name.equals("getConnection")) {
                return session.connection();
            }
            if (name.equals("getURL")) {
                return session.config().url();
            }
        }
        return PASS;
    }

    @Override
    Statement owningStatement() {
        return null; // metadata result sets have no statement of the caller's
    }
}

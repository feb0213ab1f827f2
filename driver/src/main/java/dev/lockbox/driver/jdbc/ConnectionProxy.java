package dev.lockbox.driver.jdbc;

import dev.lockbox.driver.LockboxConnection;
import dev.lockbox.driver.session.LockboxSession;
import java.lang.reflect.Method;
import java.sql.CallableStatement;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.concurrent.Executor;

/**
 * The connection wrapper: creates statement wrappers (prepared texts are classified at prepare
 * time), wraps metadata, and hands close/abort/isValid to the session. Transactions, savepoints,
 * read-only, network timeout and the rest are the vendor's, delegated. {@code nativeSQL} only
 * translates text; what finally runs is classified after that same translation.
 */
public final class ConnectionProxy extends JdbcProxy {
    private ConnectionProxy(LockboxSession session) {
        super(session, session.raw());
    }

    public static LockboxConnection wrap(LockboxSession session) {
        LockboxConnection c = create(LockboxConnection.class, new ConnectionProxy(session));
        session.attach(c);
        return c;
    }

    @Override
    Object intercept(String name, Method method, Object[] args) throws Throwable {
        int arity = args == null ? 0 : args.length;
        switch (name) {
            case "createStatement":
                return StatementProxy.wrap(session, Statement.class, (Statement) callDelegate(method, args), null, null);
            case "prepareStatement":
                return prepare(PreparedStatement.class, method, args);
            case "prepareCall":
                return prepare(CallableStatement.class, method, args);
            case "getMetaData":
                return arity == 0 ? MetaDataProxy.wrap(session, (DatabaseMetaData) callDelegate(method, args)) : PASS;
            case "close":
                if (arity == 0) {
                    session.close();
                    return null;
                }
                return PASS;
            case "isValid":
                return arity == 1 ? session.isValid((Integer) args[0]) : PASS;
            case "abort":
                session.abort((Executor) args[0]);
                return null;
            case "grant":
                return arity == 0 ? session.grant() : PASS;
            case "sessionId":
                return arity == 0 ? session.sessionId() : PASS;
            case "endedReason":
                return arity == 0 ? session.endedReason() : PASS;
            case "auditBacklog":
                return arity == 0 ? session.auditBacklog() : PASS;
            default:
                return PASS;
        }
    }

    private <T extends Statement> T prepare(Class<T> kind, Method method, Object[] args) throws Throwable {
        String sql = (String) args[0];
        var classification = session.classify(sql);
        T raw = kind.cast(callDelegate(method, args));
        return StatementProxy.wrap(session, kind, raw, sql, classification);
    }

    @Override
    Statement owningStatement() {
        return null;
    }
}

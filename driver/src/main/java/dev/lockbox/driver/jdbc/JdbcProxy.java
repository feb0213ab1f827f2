package dev.lockbox.driver.jdbc;

import dev.lockbox.driver.LockboxConnection;
import dev.lockbox.driver.SqlState;
import dev.lockbox.driver.session.LockboxSession;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The mechanism shared by the JDBC wrappers: a {@link Proxy} invocation handler that delegates
 * every call to the vendor object except what a subclass intercepts. It also enforces what holds
 * for every wrapper: identity {@code equals}/{@code hashCode} (pools' statement caches),
 * {@code unwrap}/{@code isWrapperFor} that agree and never hand out a vendor object, the session
 * check before each call, and re-wrapping of any JDBC object a pass-through call returns.
 */
abstract class JdbcProxy implements InvocationHandler {
    /** Returned by {@link #intercept} when the call is a plain pass-through. */
    static final Object PASS = new Object();

    final LockboxSession session;
    final Object delegate;
    Object proxy;

    JdbcProxy(LockboxSession session, Object delegate) {
        this.session = session;
        this.delegate = delegate;
    }

    /**
     * The proxy class constructor per wrapped interface, looked up once: {@code Proxy.newProxyInstance}
     * re-checks the interfaces and looks the class up in its cache on every call, once per result set.
     */
    private static final ClassValue<Constructor<?>> CONSTRUCTORS = new ClassValue<>() {
        @Override
        protected Constructor<?> computeValue(Class<?> iface) {
            Class<?> proxyClass = Proxy.newProxyInstance(JdbcProxy.class.getClassLoader(), new Class<?>[] {iface},
                    (p, m, a) -> null).getClass();
            try {
                return proxyClass.getConstructor(InvocationHandler.class);
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException("no public InvocationHandler constructor on " + proxyClass, e);
            }
        }
    };

    static <T> T create(Class<T> iface, JdbcProxy handler) {
        Object p;
        try {
            p = CONSTRUCTORS.get(iface).newInstance(handler);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create the " + iface.getSimpleName() + " wrapper", e);
        }
        handler.proxy = p;
        return iface.cast(p);
    }

    /** Subclasses handle what they intercept and return {@link #PASS} for the rest. */
    abstract Object intercept(String name, Method method, Object[] args) throws Throwable;

    /** The statement wrapper result sets from pass-through calls belong to (null for metadata). */
    abstract Statement owningStatement();

    @Override
    public final Object invoke(Object p, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        if (method.getDeclaringClass() == Object.class) {
            return switch (name) {
                case "equals" -> p == args[0];
                case "hashCode" -> System.identityHashCode(p);
                default -> describe();
            };
        }
        int arity = args == null ? 0 : args.length;
        if (arity == 1 && args[0] instanceof Class<?> iface) {
            if (name.equals("unwrap")) {
                return unwrap(iface);
            }
            if (name.equals("isWrapperFor")) {
                return iface.isInstance(proxy);
            }
        }
        if (arity == 0 && name.equals("isClosed")) {
            // JDBC: closing the connection (or Lockbox ending it) closes its statements and result sets
            return session.isClosed() || (Boolean) callDelegate(method, args);
        }
        if (method.getDeclaringClass() != LockboxConnection.class && !survivesEnd(name, arity)) {
            session.ensureUsable();
        }
        Object result = intercept(name, method, args);
        if (result != PASS) {
            return result;
        }
        return rewrap(callDelegate(method, args));
    }

    /** Calls that must keep working on an ended or closed session (pools call them to clean up); LockboxConnection's own too. */
    private static boolean survivesEnd(String name, int arity) {
        return (arity == 0 && (name.equals("close") || name.equals("isClosed")))
                || name.equals("isValid") || name.equals("abort");
    }

    private Object unwrap(Class<?> iface) throws SQLException {
        if (iface.isInstance(proxy)) {
            return proxy;
        }
        throw SqlState.ACCESS_DENIED.exception("Lockbox does not hand out " + iface.getName()
                + ": the vendor object would bypass the grant and the audit");
    }

    final Object callDelegate(Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(delegate, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** Raw call for the statement chain's last step, with the vendor's exception as thrown. */
    final Object callDatabase(Method method, Object[] args) throws SQLException {
        try {
            return callDelegate(method, args);
        } catch (SQLException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new SQLException(t);
        }
    }

    /** Nothing a pass-through call returns may be a vendor connection, statement or metadata. */
    final Object rewrap(Object result) throws SQLException {
        if (result == null || result instanceof Proxy) {
            return result;
        }
        if (result instanceof ResultSet rs) {
            return ResultSetProxy.wrap(session, rs, owningStatement());
        }
        if (result instanceof Connection) {
            return session.connection();
        }
        if (result instanceof java.sql.Array array) {
            return ArrayProxy.wrap(session, array);
        }
        if (result instanceof DatabaseMetaData md) {
            return MetaDataProxy.wrap(session, md);
        }
        if (result instanceof Statement) {
            throw SqlState.ACCESS_DENIED.exception("Lockbox refused to hand out a "
                    + (result instanceof CallableStatement ? "CallableStatement"
                    : result instanceof PreparedStatement ? "PreparedStatement" : "Statement")
                    + " it did not create");
        }
        return result;
    }

    String describe() {
        return "Lockbox" + getClass().getSimpleName().replace("Proxy", "") + "[session=" + session.sessionId()
                + ", environment=" + session.config().environment() + "]";
    }
}

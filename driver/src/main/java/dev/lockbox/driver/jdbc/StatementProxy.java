package dev.lockbox.driver.jdbc;

import dev.lockbox.driver.classify.Classification;
import dev.lockbox.driver.session.LockboxSession;
import dev.lockbox.driver.statement.AuditedSql;
import dev.lockbox.driver.statement.BoundParameters;
import dev.lockbox.driver.statement.StatementExecution;
import java.lang.reflect.Method;
import java.sql.CallableStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Statement, PreparedStatement and CallableStatement wrapper. Every execute path (execute,
 * executeQuery, executeUpdate, executeLargeUpdate with all their overloads, batches) goes through
 * the session's statement chain; parameter setters are recorded for the audit event;
 * {@code getConnection()} and result sets answer wrappers.
 *
 * <p>A prepared batch is one audit event whose {@code parameters} is the JSON array of each row's
 * values; a {@code Statement} batch is one event per added text, checked when added.
 */
final class StatementProxy extends JdbcProxy {
    private final String preparedSql;
    private final Classification preparedClassification;
    private final boolean callable;
    private final BoundParameters parameters;
    private final List<AuditedSql> textBatch = new ArrayList<>();
    private final List<List<Object>> parameterBatch = new ArrayList<>();
    private ResultSet lastRaw;
    private ResultSet lastWrapped;

    private StatementProxy(LockboxSession session, Statement delegate, String preparedSql,
                           Classification preparedClassification) {
        super(session, delegate);
        this.preparedSql = preparedSql;
        this.preparedClassification = preparedClassification;
        this.callable = delegate instanceof CallableStatement;
        this.parameters = preparedSql != null ? new BoundParameters() : null;
    }

    static <T extends Statement> T wrap(LockboxSession session, Class<T> kind, T raw, String sql,
                                        Classification classification) {
        return create(kind, new StatementProxy(session, raw, sql, classification));
    }

    @Override
    Object intercept(String name, Method method, Object[] args) throws Throwable {
        int arity = args == null ? 0 : args.length;
        switch (name) {
            case "execute", "executeQuery", "executeUpdate", "executeLargeUpdate" -> {
                if (arity >= 1 && (args[0] == null || args[0] instanceof String)) {
                    return execute(name, method, args, AuditedSql.of((String) args[0], null, null));
                }
                if (arity == 0 && preparedSql != null) {
                    return execute(name, method, args,
                            AuditedSql.of(preparedSql, parameters.json(), preparedClassification));
                }
                return PASS;
            }
            case "addBatch" -> {
                if (arity == 1 && (args[0] == null || args[0] instanceof String)) {
                    return addTextToBatch(method, args);
                }
                if (arity == 0 && preparedSql != null) {
                    callDelegate(method, args);
                    parameterBatch.add(parameters.snapshot());
                    return null;
                }
                return PASS;
            }
            case "clearBatch" -> {
                callDelegate(method, args);
                clearBatch();
                return null;
            }
            case "executeBatch", "executeLargeBatch" -> {
                return executeBatch(method, args);
            }
            case "clearParameters" -> {
                if (parameters != null) {
                    parameters.clear();
                }
                return PASS;
            }
            case "getConnection" -> {
                return session.connection();
            }
            case "getResultSet" -> {
                return wrapResult((ResultSet) callDelegate(method, args));
            }
            default -> {
                if (parameters != null && arity >= 2 && name.startsWith("set")
                        && (args[0] instanceof Integer || (callable && args[0] instanceof String))) {
                    Object result = callDelegate(method, args);
                    parameters.bind(args[0], name, args[1]);
                    return result;
                }
                return PASS;
            }
        }
    }

    private Object execute(String name, Method method, Object[] args, AuditedSql sql) throws SQLException {
        StatementExecution.RowsAffected rows = switch (name) {
            case "execute" -> (result, n) -> Boolean.FALSE.equals(result) ? new Long[] {updateCount()} : new Long[] {null};
            case "executeQuery" -> (result, n) -> new Long[] {null};
            default -> StatementExecution::singleCount;
        };
        Object result = session.execution().run(new StatementExecution(List.of(sql), () -> callDatabase(method, args), rows));
        return result instanceof ResultSet rs ? wrapResult(rs) : result;
    }

    private Long updateCount() throws SQLException {
        long n = ((Statement) delegate).getLargeUpdateCount();
        return n < 0 ? null : n;
    }

    private Object addTextToBatch(Method method, Object[] args) throws SQLException {
        StatementExecution admission = new StatementExecution(List.of(AuditedSql.of((String) args[0], null, null)),
                () -> callDatabase(method, args), (result, n) -> new Long[n]);
        session.admission().run(admission);
        textBatch.add(admission.statements().get(0)); // classified and allowed: audited at executeBatch
        return null;
    }

    private Object executeBatch(Method method, Object[] args) throws SQLException {
        List<AuditedSql> statements = new ArrayList<>(textBatch);
        boolean prepared = !parameterBatch.isEmpty();
        if (prepared) {
            statements.add(AuditedSql.of(preparedSql, BoundParameters.batchJson(parameterBatch), preparedClassification));
        }
        int texts = textBatch.size();
        clearBatch(); // JDBC empties the batch whether or not it succeeds
        if (statements.isEmpty()) {
            return callDatabase(method, args);
        }
        return session.execution().run(new StatementExecution(statements, () -> callDatabase(method, args),
                (result, n) -> batchRows(result, n, texts, prepared)));
    }

    /** Text entries get their own count; the prepared rows (one event) get the sum of theirs. */
    private static Long[] batchRows(Object result, int n, int texts, boolean prepared) {
        long[] counts;
        if (result instanceof int[] ints) {
            counts = new long[ints.length];
            for (int i = 0; i < ints.length; i++) {
                counts[i] = ints[i];
            }
        } else if (result instanceof long[] longs) {
            counts = longs;
        } else {
            return new Long[n];
        }
        Long[] rows = new Long[n];
        for (int i = 0; i < texts && i < counts.length; i++) {
            rows[i] = counts[i] >= 0 ? counts[i] : null;
        }
        if (prepared) {
            long sum = 0;
            boolean known = counts.length > texts;
            for (int i = texts; i < counts.length; i++) {
                if (counts[i] < 0) {
                    known = false;
                    break;
                }
                sum += counts[i];
            }
            rows[n - 1] = known ? sum : null;
        }
        return rows;
    }

    private void clearBatch() {
        textBatch.clear();
        parameterBatch.clear();
    }

    /** The same vendor result set always answers the same wrapper. */
    private ResultSet wrapResult(ResultSet raw) {
        if (raw == null) {
            return null;
        }
        if (raw != lastRaw) {
            lastWrapped = ResultSetProxy.wrap(session, raw, (Statement) proxy);
            lastRaw = raw;
        }
        return lastWrapped;
    }

    @Override
    Statement owningStatement() {
        return (Statement) proxy;
    }
}

package dev.lockbox.driver.statement;

import dev.lockbox.api.audit.ActionClass;
import dev.lockbox.driver.classify.Classification;
import dev.lockbox.driver.classify.StatementClassifier;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Classifies each SQL text that is not classified yet (prepared statements bring theirs from
 * prepare time). Texts with JDBC escapes ({@code {call ...}}, {@code {fn ...}}) are classified as
 * the database will see them, after the vendor's {@code nativeSQL} translation, so an escape cannot
 * hide what runs. A classifier failure yields an unparsed classification: the rules then fail closed.
 */
public final class Classify implements StatementStep {
    private static final Classification UNREADABLE = new Classification("UNKNOWN", ActionClass.MISC, List.of(), false, false, 1);

    private final StatementClassifier classifier;
    private final Connection raw;

    public Classify(StatementClassifier classifier, Connection raw) {
        this.classifier = classifier;
        this.raw = raw;
    }

    @Override
    public Object apply(StatementExecution execution, Chain chain) throws SQLException {
        List<AuditedSql> statements = execution.statements();
        for (int i = 0; i < statements.size(); i++) {
            AuditedSql sql = statements.get(i);
            if (sql.classification() == null) {
                execution.replace(i, sql.classified(classify(sql.sql())));
            }
        }
        return chain.proceed(execution);
    }

    /** Also used at prepare time, so a prepared statement is classified once. */
    public Classification classify(String sql) throws SQLException {
        if (sql == null) {
            return UNREADABLE;
        }
        String text = sql.indexOf('{') >= 0 ? raw.nativeSQL(sql) : sql;
        try {
            Classification c = classifier.classify(text);
            return c != null ? c : UNREADABLE;
        } catch (RuntimeException e) {
            return UNREADABLE;
        }
    }
}

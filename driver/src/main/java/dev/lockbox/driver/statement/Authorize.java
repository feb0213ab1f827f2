package dev.lockbox.driver.statement;

import dev.lockbox.api.audit.Decision;
import dev.lockbox.api.grant.ActiveGrant;
import dev.lockbox.driver.SqlState;
import dev.lockbox.driver.audit.AuditSink;
import dev.lockbox.driver.classify.AccessDecision;
import dev.lockbox.driver.classify.Classification;
import dev.lockbox.driver.classify.GrantRules;
import java.sql.SQLException;
import java.util.List;

/**
 * Applies the grant's level and scope to every classified text. A refusal is audited as DENIED
 * (before the exception, so it is recorded even if the caller swallows it) and thrown as 42501.
 */
public final class Authorize implements StatementStep {
    private final ActiveGrant grant;
    private final AuditSink sink;
    private final StatementEvents events;
    /** The grant is fixed for the session, so a decision depends only on the classification. */
    private final ClassificationMemo<AccessDecision> decisions = new ClassificationMemo<>(this::decide);

    public Authorize(ActiveGrant grant, AuditSink sink, StatementEvents events) {
        this.grant = grant;
        this.sink = sink;
        this.events = events;
    }

    @Override
    public Object apply(StatementExecution execution, Chain chain) throws SQLException {
        for (AuditedSql sql : execution.statements()) {
            AccessDecision decision = sql.classification() == null ? decide(null) : decisions.get(sql.classification());
            if (!decision.allowed()) {
                String reason = decision.denyReason() != null ? decision.denyReason() : "refused by the grant";
                String audited = "";
                try {
                    sink.record(List.of(events.event(sql, Decision.DENIED, reason)));
                } catch (SQLException e) {
                    audited = " (the refusal could not be audited: " + e.getMessage() + ")";
                }
                throw SqlState.ACCESS_DENIED.exception("Lockbox refused the statement: " + reason + audited);
            }
        }
        return chain.proceed(execution);
    }

    private AccessDecision decide(Classification c) {
        try {
            AccessDecision d = GrantRules.decide(c, grant.accessLevel(), grant.scope());
            return d != null ? d : AccessDecision.deny("the statement could not be checked against the grant");
        } catch (RuntimeException e) {
            return AccessDecision.deny("the statement could not be checked against the grant (" + e.getMessage() + ")");
        }
    }
}

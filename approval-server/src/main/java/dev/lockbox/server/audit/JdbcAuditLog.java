package dev.lockbox.server.audit;

import dev.lockbox.api.audit.AuditAck;
import dev.lockbox.api.audit.AuditBatch;
import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.audit.AuditEventPage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;

/** The audit log on the server's JDBC store (H2 or PostgreSQL). Implementation in progress. */
public final class JdbcAuditLog implements AuditLog {
    private final DataSource ds;
    private final Clock clock;
    private final GrantDirectory grants;
    private final Duration outcomeTimeout;

    public JdbcAuditLog(DataSource ds, Clock clock, GrantDirectory grants, Duration outcomeTimeout) {
        this.ds = ds;
        this.clock = clock;
        this.grants = grants;
        this.outcomeTimeout = outcomeTimeout;
    }

    @Override
    public AuditAck ingest(String caller, AuditBatch batch) {
        throw new UnsupportedOperationException("audit ingest is being implemented");
    }

    @Override
    public void recordSessionEvent(SessionEvent event) {
        throw new UnsupportedOperationException("audit session events are being implemented");
    }

    @Override
    public AuditEventPage page(String environment, long afterSequence, int limit) {
        throw new UnsupportedOperationException("audit paging is being implemented");
    }

    @Override
    public List<AuditEvent> forRequest(String requestId) {
        throw new UnsupportedOperationException("audit by request is being implemented");
    }

    @Override
    public int sealOverdue(Instant now) {
        throw new UnsupportedOperationException("audit sealing is being implemented");
    }
}

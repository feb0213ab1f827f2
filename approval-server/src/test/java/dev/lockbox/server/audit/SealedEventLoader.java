package dev.lockbox.server.audit;

import dev.lockbox.api.audit.AuditEvent;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Fills a store with events already carrying their outcomes, sealed exactly as ingest seals them
 * ({@link ChainHead#append}, the same rows and chain head), in transactions of {@code perTransaction}
 * events: for benchmarks that need a large audit log without paying for the HTTP ingest path.
 */
public final class SealedEventLoader {
    private final DataSource ds;
    private final AuditEventRows rows = new AuditEventRows();

    public SealedEventLoader(DataSource ds) {
        this.ds = ds;
    }

    /** Appends {@code events} (one environment, in order) to that environment's chain; returns the sealed events. */
    public List<AuditEvent> append(String environment, List<AuditEvent> events, int perTransaction) throws SQLException {
        List<AuditEvent> sealed = new ArrayList<>(events.size());
        for (int from = 0; from < events.size(); from += perTransaction) {
            List<AuditEvent> chunk = events.subList(from, Math.min(events.size(), from + perTransaction));
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                ChainHead head = ChainHead.lock(c, environment, RowLocking.of(c));
                List<AuditEvent> out = new ArrayList<>(chunk.size());
                for (AuditEvent e : chunk) out.add(head.append(e));
                rows.insert(c, out, Instant.now());
                head.save(c);
                c.commit();
                sealed.addAll(out);
            }
        }
        return sealed;
    }
}

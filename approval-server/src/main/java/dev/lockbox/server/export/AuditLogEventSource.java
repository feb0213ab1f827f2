package dev.lockbox.server.export;

import dev.lockbox.api.audit.AuditEventPage;
import dev.lockbox.exporter.feed.AuditEventSource;
import dev.lockbox.exporter.feed.AuditFeedException;
import dev.lockbox.server.audit.AuditLog;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The exporter's feed inside the server: pages come straight from the {@link AuditLog} (no HTTP),
 * and the environments are those with sealed events. Before each page it renews the export lease:
 * a replica that has lost it stops before it writes another row.
 */
final class AuditLogEventSource implements AuditEventSource {
    private final AuditLog auditLog;
    private final AuditChainHeads heads;
    private final BooleanSupplier renewLease;

    AuditLogEventSource(AuditLog auditLog, AuditChainHeads heads, BooleanSupplier renewLease) {
        this.auditLog = auditLog;
        this.heads = heads;
        this.renewLease = renewLease;
    }

    @Override
    public AuditEventPage page(String environment, long afterSequence, int limit) {
        if (!renewLease.getAsBoolean()) {
            throw new AuditFeedException("another server replica holds the export lease now; this one stops writing the lake");
        }
        return auditLog.page(environment, afterSequence, limit);
    }

    @Override
    public List<String> environments() {
        return List.copyOf(heads.latest().keySet());
    }
}

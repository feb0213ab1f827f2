package dev.lockbox.server.testing;

import dev.lockbox.api.audit.AuditAck;
import dev.lockbox.api.audit.AuditBatch;
import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.audit.AuditEventPage;
import dev.lockbox.server.audit.AuditLog;
import dev.lockbox.server.audit.SessionEvent;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An audit log that remembers what the HTTP layer hands it, so tests of the routes and of the
 * sessions endpoint can check what was recorded without depending on the audit store.
 */
public final class RecordingAuditLog implements AuditLog {
    public final List<SessionEvent> sessionEvents = new CopyOnWriteArrayList<>();
    public final List<String> ingestedBy = new CopyOnWriteArrayList<>();
    public final List<Instant> sealCalls = new CopyOnWriteArrayList<>();

    @Override
    public AuditAck ingest(String caller, AuditBatch batch) {
        ingestedBy.add(caller);
        return new AuditAck(batch.events() == null ? 0 : batch.events().size(), 0, 0);
    }

    @Override
    public void recordSessionEvent(SessionEvent event) {
        sessionEvents.add(event);
    }

    @Override
    public AuditEventPage page(String environment, long afterSequence, int limit) {
        return new AuditEventPage(environment, List.of(), afterSequence);
    }

    @Override
    public List<AuditEvent> forRequest(String requestId, long afterSequence, int limit) {
        return List.of();
    }

    @Override
    public int sealOverdue(Instant now) {
        sealCalls.add(now);
        return 0;
    }
}

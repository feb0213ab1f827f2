package dev.lockbox.server.audit;

import dev.lockbox.api.audit.AuditAck;
import dev.lockbox.api.audit.AuditBatch;
import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.audit.AuditEventPage;
import java.time.Instant;
import java.util.List;

/**
 * The server's durable, hash-chained audit log (see docs/architecture.md, "stored, then sealed").
 * Implemented by {@link JdbcAuditLog} on the server's store.
 */
public interface AuditLog {

    /**
     * Stores a batch from the driver of user {@code caller}; returns only once every event and
     * outcome is durable. Identity fields come from the grant named by each event's requestId,
     * which must belong to {@code caller} and to {@code batch.environment()} and be active at the
     * event (outcomes of statements that started inside the window are accepted later).
     * Idempotent on eventId. Throws {@code ApiException} 400 for bad events, 403 for foreign or
     * inactive grants; then nothing of the batch is stored.
     */
    AuditAck ingest(String caller, AuditBatch batch);

    /** Records and seals a CONNECT, CONNECT_DENIED or DISCONNECT event. */
    void recordSessionEvent(SessionEvent event);

    /** Sealed events of one environment with sequence > afterSequence, in order, at most limit. */
    AuditEventPage page(String environment, long afterSequence, int limit);

    /**
     * Sealed events recorded under one request with {@code sequence > afterSequence}, in order, at most
     * {@code limit} (capped like {@link #page}): a long session's trail is read a page at a time.
     */
    List<AuditEvent> forRequest(String requestId, long afterSequence, int limit);

    /**
     * Seals the events whose outcome has not arrived by {@code now} minus the outcome timeout
     * (their {@code succeeded} stays null). Called by the server's scheduler. Returns how many.
     */
    int sealOverdue(Instant now);
}

package dev.lockbox.exporter.feed;

import dev.lockbox.api.audit.AuditEventPage;
import java.util.List;

/**
 * Where the exporter reads sealed audit events from: the approval server's HTTP feed when run
 * standalone, the server's store when run in-process.
 *
 * <p>Contract (the one {@code GET /api/audit/events} follows): {@link #page} returns the events of
 * {@code environment} with {@code sequence > afterSequence}, in sequence order, at most
 * {@code limit} of them, sequences gap-free from 1. An empty page means "caught up for now".
 */
public interface AuditEventSource {

    AuditEventPage page(String environment, long afterSequence, int limit);

    /** The environments whose events this source can serve. */
    List<String> environments();
}

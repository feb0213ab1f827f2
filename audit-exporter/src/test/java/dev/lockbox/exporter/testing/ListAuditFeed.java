package dev.lockbox.exporter.testing;

import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.audit.AuditEventPage;
import dev.lockbox.exporter.feed.AuditEventSource;
import java.util.List;
import java.util.Map;

/** A source over events held in memory (one gap-free list per environment, sequence i at index i-1). */
public final class ListAuditFeed implements AuditEventSource {
    private final Map<String, List<AuditEvent>> events;

    public ListAuditFeed(Map<String, List<AuditEvent>> events) {
        this.events = Map.copyOf(events);
    }

    @Override
    public AuditEventPage page(String environment, long afterSequence, int limit) {
        List<AuditEvent> all = events.get(environment);
        int from = (int) Math.min(afterSequence, all.size());
        int to = (int) Math.min(all.size(), (long) from + limit);
        List<AuditEvent> page = all.subList(from, to);
        return new AuditEventPage(environment, page, page.isEmpty() ? afterSequence : to);
    }

    @Override
    public List<String> environments() {
        return events.keySet().stream().sorted().toList();
    }
}

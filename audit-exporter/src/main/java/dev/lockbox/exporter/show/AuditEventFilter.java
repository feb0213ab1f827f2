package dev.lockbox.exporter.show;

import dev.lockbox.api.audit.AuditEvent;
import java.time.Instant;
import java.util.List;

/**
 * Which rows {@code show} prints. Null fields do not filter.
 *
 * @param environments environments to read; empty means all in the lake
 * @param from         first event_time included
 * @param to           event_time excluded from here on
 * @param limit        at most this many rows
 */
public record AuditEventFilter(List<String> environments, String engineer, String requestId, String action,
                               Instant from, Instant to, int limit) {
    public AuditEventFilter {
        environments = List.copyOf(environments);
        if (limit < 1) throw new IllegalArgumentException("limit must be at least 1");
        if (from != null && to != null && !from.isBefore(to)) {
            throw new IllegalArgumentException("the time range is empty: from " + from + " is not before to " + to);
        }
    }

    public boolean matches(AuditEvent e) {
        return (engineer == null || engineer.equals(e.engineer()))
                && (requestId == null || requestId.equals(e.requestId()))
                && (action == null || action.equalsIgnoreCase(e.action()))
                && (from == null || !e.eventTime().isBefore(from))
                && (to == null || e.eventTime().isBefore(to));
    }
}

package dev.lockbox.server.grant;

import dev.lockbox.api.request.RequestHistoryEntry;
import dev.lockbox.server.broker.BrokerEvent;
import dev.lockbox.server.broker.BrokerEventListener;
import dev.lockbox.server.request.RequestStore;
import dev.lockbox.server.store.Store;
import java.util.List;

/**
 * Appends the credential broker's actions to the request history ({@code GET /api/requests/{id}}).
 * Leftover users that no request owns have no history to go to; the broker logs them.
 */
public final class BrokerHistory implements BrokerEventListener {
    private final Store store;
    private final RequestStore requests;

    public BrokerHistory(Store store, RequestStore requests) {
        this.store = store;
        this.requests = requests;
    }

    @Override
    public void brokerEvent(BrokerEvent event) {
        if (event.requestId() == null) return;
        record(event.requestId(), event.toHistoryEntry());
    }

    /**
     * Appends {@code entry} unless it repeats the request's last entry: a target that stays down
     * makes every periodic reconciliation fail the same way, and once is enough to say so.
     */
    void record(String requestId, RequestHistoryEntry entry) {
        store.inTransaction(c -> {
            if (requests.find(c, requestId).isEmpty()) return null;
            List<RequestHistoryEntry> history = requests.history(c, requestId);
            if (!history.isEmpty()) {
                RequestHistoryEntry last = history.get(history.size() - 1);
                if (last.actor().equals(entry.actor()) && last.action().equals(entry.action())
                        && java.util.Objects.equals(last.comment(), entry.comment())) {
                    return null;
                }
            }
            requests.addHistory(c, requestId, entry);
            return null;
        });
    }
}

package dev.lockbox.server.export;

import dev.lockbox.server.store.Store;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import java.util.TreeMap;

/**
 * The newest sealed sequence of every environment that has audit events, read from the audit log's
 * {@code audit_chain_head} table (docs/audit-log.md): a head row exists exactly when an environment
 * has sealed events, and its sequence is committed with them, so it is never ahead of the feed.
 */
public final class AuditChainHeads {
    private final Store store;

    public AuditChainHeads(Store store) {
        this.store = store;
    }

    /** Environment name → last sealed sequence, sorted by name. */
    public Map<String, Long> latest() {
        return store.read(c -> {
            Map<String, Long> heads = new TreeMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT environment, last_sequence FROM audit_chain_head");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getLong(2) > 0) heads.put(rs.getString(1), rs.getLong(2));
                }
            }
            return heads;
        });
    }
}

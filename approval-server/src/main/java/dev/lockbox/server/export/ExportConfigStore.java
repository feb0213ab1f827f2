package dev.lockbox.server.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockbox.api.LockboxJson;
import dev.lockbox.api.export.ExportConfig;
import dev.lockbox.api.export.ExportEnvironmentMode;
import dev.lockbox.server.store.Store;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The tables of migration V300: the export configuration (one row once configured), the last
 * pass's time and error, and the exported sequence per environment. Kept in the store, not in
 * memory, so every replica answers {@code GET /api/export} alike and a PUT on one reaches all.
 */
public final class ExportConfigStore {
    private static final ObjectMapper JSON = LockboxJson.newMapper();
    private static final int MAX_ERROR = 4000;
    private final Store store;

    public ExportConfigStore(Store store) {
        this.store = store;
    }

    public Optional<StoredExport> load() {
        return store.read(this::load);
    }

    public Optional<StoredExport> load(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT destination, environment_mode, environments, export_interval, "
                + "enabled, last_run_at, last_error FROM export_config WHERE id = 1");
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) return Optional.empty();
            ExportConfig config = new ExportConfig(rs.getString("destination"),
                    ExportEnvironmentMode.valueOf(rs.getString("environment_mode")), names(rs.getString("environments")),
                    Duration.parse(rs.getString("export_interval")), rs.getBoolean("enabled"));
            return Optional.of(new StoredExport(config, Store.instant(rs, "last_run_at"), rs.getString("last_error")));
        }
    }

    /**
     * Stores a complete, checked configuration. A new destination is a new lake: the progress
     * recorded for the old one is dropped, and so is the old lake's last error.
     */
    public void save(Connection c, ExportConfig config, String by, Instant at) throws SQLException {
        Optional<StoredExport> before = load(c);
        boolean newLake = before.isEmpty() || !before.get().config().destination().equals(config.destination());
        String sql = before.isPresent()
                ? "UPDATE export_config SET destination = ?, environment_mode = ?, environments = ?, export_interval = ?, "
                        + "enabled = ?, updated_at = ?, updated_by = ? WHERE id = 1"
                : "INSERT INTO export_config (destination, environment_mode, environments, export_interval, enabled, "
                        + "updated_at, updated_by, id) VALUES (?,?,?,?,?,?,?,1)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, config.destination());
            ps.setString(2, config.environmentMode().name());
            ps.setString(3, json(config.environments()));
            ps.setString(4, config.interval().toString());
            ps.setBoolean(5, config.enabled());
            ps.setObject(6, Store.toDb(at));
            ps.setString(7, by);
            ps.executeUpdate();
        }
        if (newLake) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM export_progress")) {
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE export_config SET last_error = NULL WHERE id = 1")) {
                ps.executeUpdate();
            }
        }
    }

    /** Highest exported sequence per environment. */
    public Map<String, Long> progress() {
        return store.read(c -> {
            Map<String, Long> out = new TreeMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT environment, last_exported_sequence FROM export_progress");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.put(rs.getString(1), rs.getLong(2));
            }
            return out;
        });
    }

    /**
     * Records a pass by {@code holder} into the lake at {@code destination}. Written only while
     * {@code holder} still holds the lease and the configuration still names that lake, so neither a
     * replica that lost the lease nor a pass that raced with a change of destination overwrites
     * newer facts. Returns whether it was recorded.
     */
    public boolean recordRun(String holder, String destination, Instant at, Map<String, Long> exported, String error) {
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT holder FROM export_lease WHERE id = 1 FOR UPDATE");
                 ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || !holder.equals(rs.getString(1))) return false;
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE export_config SET last_run_at = ?, last_error = ? WHERE id = 1 AND destination = ?")) {
                ps.setObject(1, Store.toDb(at));
                ps.setString(2, error == null || error.length() <= MAX_ERROR ? error : error.substring(0, MAX_ERROR));
                ps.setString(3, destination);
                if (ps.executeUpdate() != 1) return false;
            }
            for (Map.Entry<String, Long> e : exported.entrySet()) {
                int updated;
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE export_progress SET last_exported_sequence = ?, updated_at = ? WHERE environment = ?")) {
                    ps.setLong(1, e.getValue());
                    ps.setObject(2, Store.toDb(at));
                    ps.setString(3, e.getKey());
                    updated = ps.executeUpdate();
                }
                if (updated == 0) {
                    try (PreparedStatement ps = c.prepareStatement(
                            "INSERT INTO export_progress (environment, last_exported_sequence, updated_at) VALUES (?,?,?)")) {
                        ps.setString(1, e.getKey());
                        ps.setLong(2, e.getValue());
                        ps.setObject(3, Store.toDb(at));
                        ps.executeUpdate();
                    }
                }
            }
            return true;
        });
    }

    private static String json(List<String> names) {
        try {
            return JSON.writeValueAsString(names);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> names(String json) throws SQLException {
        try {
            return List.copyOf(JSON.readValue(json, new TypeReference<List<String>>() {}));
        } catch (JsonProcessingException e) {
            throw new SQLException("corrupt export environments: " + e.getOriginalMessage(), e);
        }
    }
}

package dev.lockbox.server.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockbox.api.LockboxJson;
import dev.lockbox.api.admin.LockboxPolicy;
import dev.lockbox.api.admin.PolicyChange;
import dev.lockbox.api.admin.PolicyMode;
import dev.lockbox.server.store.Store;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The lockbox policy (one row) and its history of changes. */
public final class PolicyStore {
    private static final ObjectMapper JSON = LockboxJson.newMapper();
    private final Store store;

    public PolicyStore(Store store) {
        this.store = store;
    }

    public LockboxPolicy current() {
        return store.read(this::current);
    }

    public LockboxPolicy current(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT mode, environments FROM lockbox_policy WHERE id = 1");
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) throw new SQLException("lockbox_policy has no row; the V1 migration inserts it");
            return new LockboxPolicy(PolicyMode.valueOf(rs.getString(1)), names(rs.getString(2)));
        }
    }

    /** Whether {@code environment} is protected (requests need an approver) under the policy now in force. */
    public boolean protects(Connection c, String environment) throws SQLException {
        return protects(current(c), environment);
    }

    public static boolean protects(LockboxPolicy p, String environment) {
        return switch (p.mode()) {
            case ALL -> true;
            case NONE -> false;
            case SELECTED -> p.environments().contains(environment);
        };
    }

    /** Replaces the policy and records who changed it from what to what, in the caller's transaction. */
    public void replace(Connection c, LockboxPolicy before, LockboxPolicy after, String by, Instant at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE lockbox_policy SET mode = ?, environments = ?, updated_at = ? WHERE id = 1")) {
            ps.setString(1, after.mode().name());
            ps.setString(2, json(after.environments()));
            ps.setObject(3, Store.toDb(at));
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO policy_history (changed_at, changed_by, before_json, after_json) VALUES (?,?,?,?)")) {
            ps.setObject(1, Store.toDb(at));
            ps.setString(2, by);
            ps.setString(3, json(before));
            ps.setString(4, json(after));
            ps.executeUpdate();
        }
    }

    public List<PolicyChange> history() {
        return store.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT changed_at, changed_by, before_json, after_json FROM policy_history ORDER BY id");
                 ResultSet rs = ps.executeQuery()) {
                List<PolicyChange> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new PolicyChange(Store.instant(rs, "changed_at"), rs.getString("changed_by"),
                            policy(rs.getString("before_json")), policy(rs.getString("after_json"))));
                }
                return out;
            }
        });
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> names(String json) throws SQLException {
        try {
            return List.copyOf(JSON.readValue(json, new TypeReference<List<String>>() {}));
        } catch (JsonProcessingException e) {
            throw new SQLException("corrupt policy environments: " + e.getOriginalMessage(), e);
        }
    }

    private static LockboxPolicy policy(String json) throws SQLException {
        try {
            return JSON.readValue(json, LockboxPolicy.class);
        } catch (JsonProcessingException e) {
            throw new SQLException("corrupt policy history: " + e.getOriginalMessage(), e);
        }
    }
}

package dev.lockbox.server.environment;

import dev.lockbox.api.admin.CredentialMode;
import dev.lockbox.server.store.Store;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The environments and environment_approvers tables. */
public final class EnvironmentStore {
    private static final String SELECT = "SELECT name, display_name, jdbc_url, record_parameters, target_user, target_password, created_at, updated_at, "
            + "credential_mode, admin_user, admin_password, admin_secret_env, target_schema FROM environments";
    private final Store store;

    public EnvironmentStore(Store store) {
        this.store = store;
    }

    public Optional<StoredEnvironment> find(String name) {
        return store.read(c -> find(c, name));
    }

    public Optional<StoredEnvironment> find(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                return Optional.of(map(rs, approvers(c, name)));
            }
        }
    }

    public List<StoredEnvironment> list() {
        return store.read(c -> {
            Map<String, List<String>> approvers = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT environment, user_name FROM environment_approvers ORDER BY user_name");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) approvers.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
            }
            List<StoredEnvironment> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(SELECT + " ORDER BY name"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(map(rs, approvers.getOrDefault(rs.getString("name"), List.of())));
            }
            return out;
        });
    }

    public boolean exists(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM environments WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    public void insert(Connection c, StoredEnvironment e) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO environments (display_name, jdbc_url, record_parameters, target_user, target_password, created_at, updated_at, "
                + "credential_mode, admin_user, admin_password, admin_secret_env, target_schema, name) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            bind(ps, e);
            ps.executeUpdate();
        }
        writeApprovers(c, e);
    }

    public void update(Connection c, StoredEnvironment e) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE environments SET display_name = ?, jdbc_url = ?, record_parameters = ?, target_user = ?, target_password = ?, created_at = ?, updated_at = ?, "
                + "credential_mode = ?, admin_user = ?, admin_password = ?, admin_secret_env = ?, target_schema = ? WHERE name = ?")) {
            bind(ps, e);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM environment_approvers WHERE environment = ?")) {
            ps.setString(1, e.name());
            ps.executeUpdate();
        }
        writeApprovers(c, e);
    }

    public boolean delete(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM environments WHERE name = ?")) {
            ps.setString(1, name);
            return ps.executeUpdate() == 1;
        }
    }

    private static void bind(PreparedStatement ps, StoredEnvironment e) throws SQLException {
        ps.setString(1, e.displayName());
        ps.setString(2, e.jdbcUrl());
        ps.setBoolean(3, e.recordParameters());
        ps.setString(4, e.targetUser());
        ps.setString(5, e.targetPassword());
        ps.setObject(6, Store.toDb(e.createdAt()));
        ps.setObject(7, Store.toDb(e.updatedAt()));
        ps.setString(8, e.credentialMode().name());
        ps.setString(9, e.adminUser());
        ps.setString(10, e.adminPassword());
        ps.setString(11, e.adminSecretEnv());
        ps.setString(12, e.targetSchema());
        ps.setString(13, e.name());
    }

    private static void writeApprovers(Connection c, StoredEnvironment e) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO environment_approvers (environment, user_name) VALUES (?,?)")) {
            for (String a : e.approvers()) {
                ps.setString(1, e.name());
                ps.setString(2, a);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static List<String> approvers(Connection c, String env) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT user_name FROM environment_approvers WHERE environment = ? ORDER BY user_name")) {
            ps.setString(1, env);
            try (ResultSet rs = ps.executeQuery()) {
                List<String> out = new ArrayList<>();
                while (rs.next()) out.add(rs.getString(1));
                return out;
            }
        }
    }

    private static StoredEnvironment map(ResultSet rs, List<String> approvers) throws SQLException {
        return new StoredEnvironment(rs.getString("name"), rs.getString("display_name"), rs.getString("jdbc_url"),
                List.copyOf(approvers), rs.getBoolean("record_parameters"), rs.getString("target_user"),
                rs.getString("target_password"), Store.instant(rs, "created_at"), Store.instant(rs, "updated_at"),
                CredentialMode.valueOf(rs.getString("credential_mode")), rs.getString("admin_user"), rs.getString("admin_password"),
                rs.getString("admin_secret_env"), rs.getString("target_schema"));
    }
}

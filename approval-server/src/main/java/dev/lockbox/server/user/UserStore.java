package dev.lockbox.server.user;

import dev.lockbox.api.admin.Role;
import dev.lockbox.server.store.Store;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** The users table. Tokens and passwords arrive here already hashed. */
public final class UserStore {
    private static final String COLUMNS = "name, email, roles, disabled, created_at";
    private final Store store;
    private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();

    public UserStore(Store store) {
        this.store = store;
    }

    /** {@code listener} runs after every committed change (token caches drop their entries). */
    public void onChange(Runnable listener) {
        changeListeners.add(listener);
    }

    public boolean insert(Connection c, Account a, String tokenHash, String passwordHash) throws SQLException {
        if (find(c, a.name()).isPresent()) return false;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO users (name, email, roles, token_hash, password_hash, disabled, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)")) {
            ps.setString(1, a.name());
            ps.setString(2, a.email());
            ps.setString(3, encode(a.roles()));
            ps.setString(4, tokenHash);
            ps.setString(5, passwordHash);
            ps.setBoolean(6, a.disabled());
            ps.setObject(7, Store.toDb(a.createdAt()));
            ps.setObject(8, Store.toDb(a.createdAt()));
            ps.executeUpdate();
        }
        return true;
    }

    public boolean replaceToken(Connection c, String name, String tokenHash, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE users SET token_hash = ?, updated_at = ? WHERE name = ?")) {
            ps.setString(1, tokenHash);
            ps.setObject(2, Store.toDb(now));
            ps.setString(3, name);
            return ps.executeUpdate() == 1;
        }
    }

    public boolean disable(Connection c, String name, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE users SET disabled = TRUE, updated_at = ? WHERE name = ?")) {
            ps.setObject(1, Store.toDb(now));
            ps.setString(2, name);
            return ps.executeUpdate() == 1;
        }
    }

    public void changed() {
        changeListeners.forEach(Runnable::run);
    }

    public Optional<Account> findActiveByTokenHash(String tokenHash) {
        return store.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM users WHERE token_hash = ? AND disabled = FALSE")) {
                ps.setString(1, tokenHash);
                return one(ps);
            }
        });
    }

    public Optional<Account> find(String name) {
        return store.read(c -> find(c, name));
    }

    public Optional<Account> find(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM users WHERE name = ?")) {
            ps.setString(1, name);
            return one(ps);
        }
    }

    public List<Account> list() {
        return store.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM users ORDER BY name");
                 ResultSet rs = ps.executeQuery()) {
                List<Account> out = new ArrayList<>();
                while (rs.next()) out.add(map(rs));
                return out;
            }
        });
    }

    private static Optional<Account> one(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(map(rs)) : Optional.empty();
        }
    }

    private static Account map(ResultSet rs) throws SQLException {
        return new Account(rs.getString("name"), decode(rs.getString("roles")), rs.getString("email"),
                rs.getBoolean("disabled"), Store.instant(rs, "created_at"));
    }

    private static String encode(Set<Role> roles) {
        return roles.stream().map(Role::name).sorted().collect(Collectors.joining(","));
    }

    private static Set<Role> decode(String roles) {
        Set<Role> out = EnumSet.noneOf(Role.class);
        if (!roles.isEmpty()) Arrays.stream(roles.split(",")).map(Role::valueOf).forEach(out::add);
        return out;
    }
}

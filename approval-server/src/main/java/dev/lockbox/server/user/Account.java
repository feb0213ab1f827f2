package dev.lockbox.server.user;

import dev.lockbox.api.admin.Role;
import dev.lockbox.api.admin.User;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/** A stored user, without its secrets. */
public record Account(String name, Set<Role> roles, String email, boolean disabled, Instant createdAt) {
    public User toWire() {
        return new User(name, List.copyOf(roles), email, disabled, createdAt);
    }

    public boolean has(Role role) {
        return roles.contains(role);
    }
}

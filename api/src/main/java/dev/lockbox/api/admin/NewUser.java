package dev.lockbox.api.admin;

import java.util.List;

/**
 * Body of {@code POST /api/users}. {@code email} (optional) is where notifications go;
 * {@code password} (optional) is for the web console sign-in and is stored only as a slow hash.
 */
public record NewUser(String name, List<Role> roles, String email, String password) {
    @Override
    public String toString() {
        return "NewUser[name=" + name + ", roles=" + roles + ", email=" + email + ", password=***]";
    }
}

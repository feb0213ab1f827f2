package dev.lockbox.cli.demo;

import dev.lockbox.api.admin.Role;

/** One of the demo's users, with the API token the demo prints so a person can act as them. */
record DemoUser(String name, Role role, String email, String token) {
    @Override
    public String toString() {
        return "DemoUser[name=" + name + ", role=" + role + ", token=***]";
    }
}

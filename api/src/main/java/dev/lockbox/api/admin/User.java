package dev.lockbox.api.admin;

import java.time.Instant;
import java.util.List;

/** A Lockbox user as the server returns it; secrets (token, password) are never part of it. */
public record User(String name, List<Role> roles, String email, boolean disabled, Instant createdAt) {}

package dev.lockbox.api.admin;

import java.time.Instant;
import java.util.List;

/**
 * A protected database as the server returns it. Stored target credentials are never returned;
 * {@code hasTargetCredentials} says whether there are some. {@code protectedByPolicy} is what
 * the current lockbox policy says about this environment.
 */
public record Environment(
        String name,
        String displayName,
        String jdbcUrl,
        List<String> approvers,
        boolean recordParameters,
        boolean hasTargetCredentials,
        boolean protectedByPolicy,
        Instant createdAt,
        Instant updatedAt) {}

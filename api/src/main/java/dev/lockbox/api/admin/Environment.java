package dev.lockbox.api.admin;

import java.time.Instant;
import java.util.List;

/**
 * A protected database as the server returns it. Stored passwords are never returned:
 * {@code hasTargetCredentials} says whether the environment can hand out credentials (static: a
 * target user is stored; broker: an admin user and a password source are). {@code adminSecretEnv}
 * is only the name of the variable holding the admin password, never its value.
 * {@code protectedByPolicy} is what the current lockbox policy says about this environment.
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
        Instant updatedAt,
        CredentialMode credentialMode,
        String adminUser,
        String adminSecretEnv,
        String targetSchema) {}

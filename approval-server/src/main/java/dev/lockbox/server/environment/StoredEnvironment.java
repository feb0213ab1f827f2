package dev.lockbox.server.environment;

import dev.lockbox.api.admin.CredentialMode;
import dev.lockbox.api.admin.Environment;
import dev.lockbox.server.broker.TargetDatabase;
import dev.lockbox.server.broker.TargetDatabase.AdminSecret;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * An environment row, including the write-only secrets that never leave the server: the static
 * target password, or the broker's admin password (when not read from an environment variable).
 */
public record StoredEnvironment(
        String name,
        String displayName,
        String jdbcUrl,
        List<String> approvers,
        boolean recordParameters,
        String targetUser,
        String targetPassword,
        Instant createdAt,
        Instant updatedAt,
        CredentialMode credentialMode,
        String adminUser,
        String adminPassword,
        String adminSecretEnv,
        String targetSchema) {

    public Environment toWire(boolean protectedByPolicy) {
        boolean hasCredentials = brokered() ? adminUser != null && (adminPassword != null || adminSecretEnv != null) : targetUser != null;
        return new Environment(name, displayName, jdbcUrl, approvers, recordParameters, hasCredentials, protectedByPolicy,
                createdAt, updatedAt, credentialMode, adminUser, adminSecretEnv, targetSchema);
    }

    public boolean brokered() {
        return credentialMode == CredentialMode.BROKER;
    }

    /** The broker's view of this environment; empty for a static environment. */
    public Optional<TargetDatabase> targetDatabase() {
        if (!brokered() || adminUser == null) return Optional.empty();
        AdminSecret secret = adminSecretEnv != null ? AdminSecret.fromEnvironmentVariable(adminSecretEnv) : AdminSecret.literal(adminPassword);
        return Optional.of(new TargetDatabase(name, jdbcUrl, adminUser, secret, targetSchema));
    }

    public boolean isApprover(String user) {
        return approvers.contains(user);
    }

    @Override
    public String toString() {
        return "StoredEnvironment[name=" + name + ", jdbcUrl=" + jdbcUrl + ", approvers=" + approvers + ", credentialMode="
                + credentialMode + ", adminUser=" + adminUser + ", adminSecretEnv=" + adminSecretEnv
                + ", targetPassword=***, adminPassword=***]";
    }
}

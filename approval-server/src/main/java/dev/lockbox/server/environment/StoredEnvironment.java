package dev.lockbox.server.environment;

import dev.lockbox.api.admin.Environment;
import java.time.Instant;
import java.util.List;

/** An environment row, including the write-only target credentials that never leave the server. */
public record StoredEnvironment(
        String name,
        String displayName,
        String jdbcUrl,
        List<String> approvers,
        boolean recordParameters,
        String targetUser,
        String targetPassword,
        Instant createdAt,
        Instant updatedAt) {

    public Environment toWire(boolean protectedByPolicy) {
        return new Environment(name, displayName, jdbcUrl, approvers, recordParameters,
                targetUser != null, protectedByPolicy, createdAt, updatedAt);
    }

    public boolean isApprover(String user) {
        return approvers.contains(user);
    }

    @Override
    public String toString() {
        return "StoredEnvironment[name=" + name + ", jdbcUrl=" + jdbcUrl + ", approvers=" + approvers + ", targetPassword=***]";
    }
}

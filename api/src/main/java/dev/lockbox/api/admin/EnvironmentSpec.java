package dev.lockbox.api.admin;

import java.util.List;

/**
 * Body of {@code POST /api/environments} and {@code PUT /api/environments/{name}}.
 * {@code recordParameters} null means true. {@code targetUser}/{@code targetPassword} are the
 * credentials the server hands to the driver for this environment until the credential broker
 * issues per-grant users; they are write-only (never returned). On PUT, leaving both null keeps
 * the stored ones.
 */
public record EnvironmentSpec(
        String name,
        String displayName,
        String jdbcUrl,
        List<String> approvers,
        Boolean recordParameters,
        String targetUser,
        String targetPassword) {
    @Override
    public String toString() {
        return "EnvironmentSpec[name=" + name + ", displayName=" + displayName + ", jdbcUrl=" + jdbcUrl
                + ", approvers=" + approvers + ", recordParameters=" + recordParameters
                + ", targetUser=" + targetUser + ", targetPassword=***]";
    }
}

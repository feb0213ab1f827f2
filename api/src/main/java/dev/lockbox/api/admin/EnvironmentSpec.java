package dev.lockbox.api.admin;

import java.util.List;

/**
 * Body of {@code POST /api/environments} and {@code PUT /api/environments/{name}}.
 * {@code recordParameters} null means true.
 *
 * <p>{@code credentialMode} (null: {@code static} on POST, the stored mode on PUT) says where the
 * engineers' database credentials come from:
 * <ul>
 *   <li>{@code static}: {@code targetUser}/{@code targetPassword}, handed to every grant's driver.</li>
 *   <li>{@code broker}: the credential broker creates a user per grant with {@code adminUser}, whose
 *       password is either the value of the server's environment variable {@code adminSecretEnv} or
 *       {@code adminPassword} (exactly one of the two). {@code targetSchema} (optional) is the schema a
 *       whole-schema grant covers (default {@code PUBLIC} on H2, {@code public} on PostgreSQL).</li>
 * </ul>
 * Passwords are write-only (never returned). On PUT, leaving {@code targetUser} (static) or
 * {@code adminUser} (broker) null keeps the stored credentials.
 */
public record EnvironmentSpec(
        String name,
        String displayName,
        String jdbcUrl,
        List<String> approvers,
        Boolean recordParameters,
        String targetUser,
        String targetPassword,
        CredentialMode credentialMode,
        String adminUser,
        String adminPassword,
        String adminSecretEnv,
        String targetSchema) {

    /** A {@code static} environment (or, on PUT, one whose mode and broker settings stay as stored). */
    public EnvironmentSpec(String name, String displayName, String jdbcUrl, List<String> approvers, Boolean recordParameters,
                           String targetUser, String targetPassword) {
        this(name, displayName, jdbcUrl, approvers, recordParameters, targetUser, targetPassword, null, null, null, null, null);
    }

    /** A {@code broker} environment. */
    public static EnvironmentSpec broker(String name, String displayName, String jdbcUrl, List<String> approvers,
                                         String adminUser, String adminPassword, String adminSecretEnv) {
        return new EnvironmentSpec(name, displayName, jdbcUrl, approvers, null, null, null, CredentialMode.BROKER,
                adminUser, adminPassword, adminSecretEnv, null);
    }

    @Override
    public String toString() {
        return "EnvironmentSpec[name=" + name + ", displayName=" + displayName + ", jdbcUrl=" + jdbcUrl
                + ", approvers=" + approvers + ", recordParameters=" + recordParameters
                + ", targetUser=" + targetUser + ", targetPassword=***, credentialMode=" + credentialMode
                + ", adminUser=" + adminUser + ", adminPassword=***, adminSecretEnv=" + adminSecretEnv
                + ", targetSchema=" + targetSchema + "]";
    }
}

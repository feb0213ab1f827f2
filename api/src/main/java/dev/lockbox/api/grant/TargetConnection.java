package dev.lockbox.api.grant;

/**
 * Where and as whom the driver connects for a grant. Credentials are issued by the server for
 * this grant (credential broker) and never typed by the engineer.
 */
public record TargetConnection(String jdbcUrl, String user, String password) {
    @Override
    public String toString() {
        return "TargetConnection[jdbcUrl=" + jdbcUrl + ", user=" + user + ", password=***]";
    }
}

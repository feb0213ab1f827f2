package dev.lockbox.cli.client;

/** How the CLI shows an API token: never in full, so terminal scroll-back and screen shares do not leak it. */
public final class ApiTokens {
    private ApiTokens() {}

    /** The first four characters and an ellipsis; short tokens show nothing at all. */
    public static String masked(String token) {
        if (token == null || token.isEmpty()) return "(none)";
        if (token.length() < 12) return "…";
        return token.substring(0, 4) + "…";
    }
}

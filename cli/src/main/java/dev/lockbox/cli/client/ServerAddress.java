package dev.lockbox.cli.client;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * The approval server's base URL as the user typed it ({@code http://127.0.0.1:8470},
 * {@code https://lockbox.example.com}, or just {@code 127.0.0.1:8470}), checked and normalised.
 */
public record ServerAddress(URI uri) {
    public ServerAddress {
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IllegalArgumentException("must be an http:// or https:// URL");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) throw new IllegalArgumentException("has no host");
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("must be a plain base URL (no user, query or fragment)");
        }
    }

    public static ServerAddress parse(String text) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty()) throw new CliException(ExitCode.CONFIG, "the server address is empty");
        if (!t.contains("://")) t = "http://" + t;
        while (t.endsWith("/")) t = t.substring(0, t.length() - 1);
        try {
            return new ServerAddress(new URI(t));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new CliException(ExitCode.USAGE, "'" + text + "' is not a Lockbox server address: " + e.getMessage()
                    + " (example: http://127.0.0.1:8470)");
        }
    }

    public boolean https() {
        return "https".equals(uri.getScheme());
    }

    public String host() {
        return uri.getHost();
    }

    /** The port, with the scheme's default when none is written. */
    public int port() {
        if (uri.getPort() != -1) return uri.getPort();
        return https() ? 443 : 80;
    }

    /** An absolute URI for an API path such as {@code /api/requests}. */
    public URI resolve(String pathAndQuery) {
        return URI.create(uri + pathAndQuery);
    }

    @Override
    public String toString() {
        return uri.toString();
    }
}

package dev.lockbox.cli.sql;

import dev.lockbox.cli.client.ServerAddress;
import java.util.regex.Pattern;

/** Builds {@code jdbc:lockbox://HOST:PORT/ENV} from the configured server, so nobody types it by hand. */
public final class LockboxUrl {
    /** DESIGN.md: environment names are {@code [a-z0-9][a-z0-9-]{0,62}}. */
    private static final Pattern ENVIRONMENT = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private LockboxUrl() {}

    public static String of(ServerAddress server, String environment) {
        if (environment == null || !ENVIRONMENT.matcher(environment).matches()) {
            throw new IllegalArgumentException("'" + environment + "' is not an environment name (lowercase letters, digits and '-')");
        }
        String url = "jdbc:lockbox://" + server.host() + ":" + server.port() + "/" + environment;
        return server.https() ? url + "?ssl=true" : url;
    }
}

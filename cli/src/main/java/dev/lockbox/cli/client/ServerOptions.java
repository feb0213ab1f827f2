package dev.lockbox.cli.client;

import dev.lockbox.cli.CliEnvironment;
import picocli.CommandLine.Option;

/**
 * {@code --server} and {@code --token}, shared by every command that talks to the approval server.
 * Each value comes from the flag, else the environment variable, else the config file written by
 * {@code ./lockbox login}.
 */
public final class ServerOptions {
    @Option(names = "--server", paramLabel = "URL",
            description = "Approval server, e.g. http://127.0.0.1:8470. Default: $LOCKBOX_SERVER, else the config file written by 'login'.")
    String server;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "Your API token. Default: $LOCKBOX_TOKEN, else the config file written by 'login'. "
                    + "Prefer those: a flag is visible to other users in the process list.")
    String token;

    /** The address and token to use, or a {@link CliException} saying how to provide the missing one. */
    public ServerCredentials resolve(CliEnvironment env) {
        ConfigFile config = new ConfigFile(env.configFile());
        ConfigFile.Saved saved = null;
        String s = server != null ? server : env.variable(CliEnvironment.SERVER_VARIABLE);
        String t = token != null ? token : env.variable(CliEnvironment.TOKEN_VARIABLE);
        if (s == null || t == null) {
            saved = config.read();
            if (s == null) s = saved.server().orElse(null);
            if (t == null) t = saved.token().orElse(null);
        }
        if (s == null) {
            throw new CliException(ExitCode.CONFIG, "no Lockbox server configured: run './lockbox login --server URL',"
                    + " set " + CliEnvironment.SERVER_VARIABLE + ", or pass --server");
        }
        if (t == null || t.isBlank()) {
            throw new CliException(ExitCode.CONFIG, "no API token configured: run './lockbox login', set "
                    + CliEnvironment.TOKEN_VARIABLE + ", or pass --token");
        }
        return new ServerCredentials(ServerAddress.parse(s), t.strip());
    }

    /** Only the server address (for commands that may run before a token exists). */
    public String serverFlag() {
        return server;
    }

    public String tokenFlag() {
        return token;
    }
}

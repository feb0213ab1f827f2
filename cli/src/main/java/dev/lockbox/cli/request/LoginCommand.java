package dev.lockbox.cli.request;

import dev.lockbox.cli.CliEnvironment;
import dev.lockbox.cli.LockboxCommand;
import dev.lockbox.cli.client.ApiTokens;
import dev.lockbox.cli.client.CliException;
import dev.lockbox.cli.client.ConfigFile;
import dev.lockbox.cli.client.ExitCode;
import dev.lockbox.cli.client.LockboxClient;
import dev.lockbox.cli.client.ServerAddress;
import dev.lockbox.cli.client.ServerCredentials;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code lockbox login}: checks a server address and token against the server and saves both in
 * the config file (mode 600), so later commands need neither flag.
 */
@Command(name = "login", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Save the approval server's address and your API token for the other commands.",
            "The token is checked against the server first, then written to $LOCKBOX_CONFIG (default ~/.lockbox/config), readable by you only.",
            "Without --token it is taken from $LOCKBOX_TOKEN, else asked for (not echoed), else read as one line from standard input."})
public final class LoginCommand implements Callable<Integer> {
    @ParentCommand
    LockboxCommand root;

    @Option(names = "--server", paramLabel = "URL",
            description = "Approval server, e.g. http://127.0.0.1:8470. Default: $LOCKBOX_SERVER, else the one saved before.")
    String server;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "Your API token (prefer the prompt or $LOCKBOX_TOKEN: a flag shows in the process list).")
    String token;

    @Option(names = "--no-verify", description = "Save without asking the server whether the token is valid.")
    boolean noVerify;

    @Override
    public Integer call() {
        CliEnvironment env = root.environment();
        ConfigFile config = new ConfigFile(env.configFile());
        String s = server != null ? server : env.variable(CliEnvironment.SERVER_VARIABLE);
        if (s == null) s = config.read().server().orElse(null);
        if (s == null) throw new CliException(ExitCode.USAGE, "which server? pass --server URL (e.g. http://127.0.0.1:8470)");
        ServerAddress address = ServerAddress.parse(s);
        String t = token != null ? token : env.variable(CliEnvironment.TOKEN_VARIABLE);
        if (t == null) t = askForToken(env);
        if (t == null || t.isBlank()) throw new CliException(ExitCode.USAGE, "no token given");
        ServerCredentials credentials = new ServerCredentials(address, t.strip());
        if (!noVerify) {
            // Any authenticated call does; listing one day of requests is allowed for every role.
            new LockboxClient(credentials).recentRequests(null, null, 1);
        }
        config.write(address.toString(), credentials.token());
        env.out().println("Logged in to " + address + " with token " + ApiTokens.masked(credentials.token())
                + (noVerify ? " (not verified)" : "") + ".");
        env.out().println("Saved in " + config.path() + " (readable by you only).");
        return ExitCode.OK;
    }

    private static String askForToken(CliEnvironment env) {
        Console console = System.console();
        if (console != null && env.in() == System.in) {
            char[] typed = console.readPassword("API token: ");
            return typed == null ? null : new String(typed);
        }
        try {
            // Not a terminal (a pipe: `echo "$TOKEN" | ./lockbox login`): one line from standard input.
            return new BufferedReader(new InputStreamReader(env.in(), StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            throw new CliException(ExitCode.USAGE, "cannot read the token from standard input: " + e.getMessage());
        }
    }
}

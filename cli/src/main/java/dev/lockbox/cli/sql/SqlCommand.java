package dev.lockbox.cli.sql;

import dev.lockbox.api.grant.ActiveGrant;
import dev.lockbox.cli.CliEnvironment;
import dev.lockbox.cli.LockboxCommand;
import dev.lockbox.cli.client.CliException;
import dev.lockbox.cli.client.ExitCode;
import dev.lockbox.cli.client.LockboxClient;
import dev.lockbox.cli.client.ServerCredentials;
import dev.lockbox.cli.client.ServerOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import sqlline.SqlLine;

/**
 * {@code lockbox sql --env E}: an interactive SQL session (sqlline) through the lockbox driver. The
 * JDBC URL is built from the configured server and the token is passed as the JDBC password, in
 * this JVM (never on a command line other users could read).
 */
@Command(name = "sql", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Open an interactive SQL session (sqlline) on an environment, through the lockbox driver.",
            "Needs an approved request for the environment ('lockbox request'); every statement is checked against",
            "the grant and audited. Type !quit to leave, !help for sqlline's commands."})
public final class SqlCommand implements Callable<Integer> {
    static final String DRIVER_CLASS = "dev.lockbox.driver.LockboxDriver";

    @ParentCommand
    LockboxCommand root;

    @Option(names = {"-e", "--env"}, required = true, paramLabel = "ENV", description = "Environment to connect to.")
    String environment;

    @Option(names = {"-c", "--command"}, paramLabel = "SQL", description = "Run this one statement and exit instead of opening a prompt.")
    String command;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Run the statements of this script and exit.")
    Path script;

    @ArgGroup(exclusive = false, heading = "%nServer (default: $LOCKBOX_SERVER / $LOCKBOX_TOKEN, else the 'login' config file):%n")
    ServerOptions serverOptions = new ServerOptions();

    @Override
    public Integer call() throws IOException {
        CliEnvironment env = root.environment();
        if (command != null && script != null) throw new CliException(ExitCode.USAGE, "give --command or --file, not both");
        if (script != null && !Files.isReadable(script)) throw new CliException(ExitCode.USAGE, "cannot read the script " + script);
        ServerCredentials credentials = (serverOptions == null ? new ServerOptions() : serverOptions).resolve(env);
        String url;
        try {
            url = LockboxUrl.of(credentials.server(), environment);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.USAGE, e.getMessage());
        }
        // Ask first, so a missing approval is one clear sentence rather than a sqlline stack of errors;
        // the grant also names the lockbox user, which the JDBC login needs.
        ActiveGrant grant = new LockboxClient(credentials).activeGrant(environment);
        env.err().println("Lockbox: " + grant.accessLevel() + " access to " + environment + " until "
                + grant.accessExpiresAt().truncatedTo(ChronoUnit.SECONDS) + " (request " + grant.requestId()
                + ", ticket " + grant.supportTicketId() + "). Every statement is audited.");

        List<String> args = new ArrayList<>(List.of("-d", DRIVER_CLASS, "-u", url, "-n", grant.engineer(), "-p", credentials.token(),
                "--connectInteractionMode=notAskCredentials", "--fastConnect=true"));
        if (command != null) args.addAll(List.of("-e", command));
        if (script != null) args.add("--run=" + script.toAbsolutePath());
        boolean interactive = command == null && script == null;
        SqlLine sqlline = new SqlLine();
        sqlline.setOutputStream(env.out());
        sqlline.setErrorStream(env.err());
        SqlLine.Status status = sqlline.begin(args.toArray(String[]::new), env.in(), interactive);
        return status == SqlLine.Status.OK ? ExitCode.OK : ExitCode.REFUSED;
    }
}

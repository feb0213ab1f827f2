package dev.lockbox.cli;

import dev.lockbox.cli.client.CliException;
import dev.lockbox.cli.client.ExitCode;
import dev.lockbox.cli.delegate.DelegatedCommands;
import dev.lockbox.cli.demo.DemoCommand;
import dev.lockbox.cli.request.ApproveCommand;
import dev.lockbox.cli.request.CancelCommand;
import dev.lockbox.cli.request.DenyCommand;
import dev.lockbox.cli.request.LoginCommand;
import dev.lockbox.cli.request.RequestCommand;
import dev.lockbox.cli.request.RevokeCommand;
import dev.lockbox.cli.request.StatusCommand;
import dev.lockbox.cli.sql.SqlCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code ./lockbox}: every Lockbox command, one subcommand class each. */
@Command(name = "lockbox", mixinStandardHelpOptions = true, versionProvider = LockboxCommand.Version.class,
        description = {
            "Lockbox: a customer-controlled approval gate in front of elevated engineer sessions on SQL databases.",
            "",
            "Engineers: 'login' once, then 'request' access, wait for approval ('status'), and connect with 'sql'.",
            "Approvers: 'status', then 'approve', 'deny' or 'revoke'. Auditors: 'export', 'verify', 'show'.",
            "Try it all on this machine: ./lockbox demo"},
        synopsisSubcommandLabel = "COMMAND",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:the server refused (the message says why), or a demo step failed",
            "2:bad command line",
            "3:no server or token configured, or the config file is unreadable",
            "4:the server cannot be reached"},
        footer = {"", "Server address and token: --server/--token, else $LOCKBOX_SERVER/$LOCKBOX_TOKEN, "
                + "else the config file ($LOCKBOX_CONFIG, default ~/.lockbox/config) written by 'login'."},
        subcommands = {
            LoginCommand.class,
            RequestCommand.class,
            StatusCommand.class,
            ApproveCommand.class,
            DenyCommand.class,
            RevokeCommand.class,
            CancelCommand.class,
            SqlCommand.class,
            DemoCommand.class})
public final class LockboxCommand implements Runnable {
    private final CliEnvironment environment;

    @Spec
    CommandSpec spec;

    public LockboxCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    public CliEnvironment environment() {
        return environment;
    }

    @Override
    public void run() {
        spec.commandLine().usage(environment.out());
    }

    public static void main(String[] args) {
        // 'server' logs what it serves (the server's logback.xml); every other command prints its own
        // results, so libraries log warnings only. Set before the first logger is created.
        boolean server = args.length > 0 && "server".equals(args[0]);
        if (!server && System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "lockbox-cli-logback.xml");
        }
        System.exit(run(CliEnvironment.system(), args));
    }

    /** Runs one command line in this JVM (what the launcher and the tests call); returns the exit code. */
    public static int run(CliEnvironment env, String... args) {
        return newCommandLine(env).execute(args);
    }

    public static CommandLine newCommandLine(CliEnvironment env) {
        CommandLine cl = new CommandLine(new LockboxCommand(env));
        DelegatedCommands.addTo(cl);
        cl.setOut(new PrintWriter(env.out(), true));
        cl.setErr(new PrintWriter(env.err(), true));
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof CliException e) {
                env.err().println("lockbox: " + e.getMessage());
                return e.exitCode();
            }
            env.err().println("lockbox: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            if (env.variable("LOCKBOX_DEBUG") != null) ex.printStackTrace(env.err());
            else env.err().println("(set LOCKBOX_DEBUG=1 to see the stack trace)");
            return ExitCode.REFUSED;
        });
        return cl;
    }

    /** The version from the jar manifest when built by Maven. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = LockboxCommand.class.getPackage().getImplementationVersion();
            return new String[] {"Lockbox " + (v == null ? "(development build)" : v)};
        }
    }
}

package dev.lockbox.exporter.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code lockbox-exporter}: audit events to a Parquet data lake, and checks over it. */
@Command(name = "lockbox-exporter", mixinStandardHelpOptions = true, version = "lockbox-exporter 0.1.0",
        description = "Exports Lockbox audit events to a Parquet data lake, verifies the lake's hash chains, "
                + "and shows rows.",
        subcommands = {ExportCommand.class, VerifyCommand.class, ShowCommand.class, CommandLine.HelpCommand.class})
public final class ExporterCommand implements Runnable {
    /** Exit code when verify finds a problem or an export fails. */
    static final int EXIT_FAILED = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // The CLI's own logging setup; a server embedding the exporter keeps its own configuration.
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "lockbox-exporter-logback.xml");
        }
        System.exit(newCommandLine().execute(args));
    }

    public static CommandLine newCommandLine() {
        CommandLine cl = new CommandLine(new ExporterCommand());
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return EXIT_FAILED;
        });
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}

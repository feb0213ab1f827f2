package dev.lockbox.cli.delegate;

import dev.lockbox.exporter.cli.ExporterCommand;
import dev.lockbox.server.ServerCommand;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * The commands other modules own, mounted under {@code ./lockbox} as they are: the approval
 * server's {@code server} and the exporter's {@code export}, {@code verify} and {@code show}. Each
 * keeps its own options, help text and exit codes; the launcher adds nothing but the name.
 */
public final class DelegatedCommands {
    static final List<String> EXPORTER_COMMANDS = List.of("export", "verify", "show");

    private DelegatedCommands() {}

    public static void addTo(CommandLine root) {
        CommandLine server = new CommandLine(new ServerCommand());
        server.getCommandSpec().name("server"); // its own name is lockbox-server; help should say 'lockbox server'
        root.addSubcommand("server", server);
        Map<String, CommandLine> exporter = ExporterCommand.newCommandLine().getSubcommands();
        for (String name : EXPORTER_COMMANDS) {
            CommandLine command = exporter.get(name);
            if (command == null) throw new IllegalStateException("the exporter has no '" + name + "' command");
            root.addSubcommand(name, command);
        }
    }
}

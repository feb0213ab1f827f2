package dev.lockbox.cli.delegate;

import dev.lockbox.server.ServerCommand;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The commands other modules own, mounted under {@code ./lockbox} as they are: the approval
 * server's {@code server} and the exporter's {@code export}, {@code verify} and {@code show}. Each
 * keeps its own options and help text; the launcher adds nothing but the name.
 */
public final class DelegatedCommands {
    /** name → command class of the module that owns it. */
    static final Map<String, String> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("export", "dev.lockbox.exporter.cli.ExportCommand");
        COMMANDS.put("verify", "dev.lockbox.exporter.cli.VerifyCommand");
        COMMANDS.put("show", "dev.lockbox.exporter.cli.ShowCommand");
    }

    private DelegatedCommands() {}

    public static void addTo(CommandLine root) {
        root.addSubcommand("server", new ServerCommand());
        COMMANDS.forEach((name, className) -> root.addSubcommand(name, load(name, className)));
    }

    private static Object load(String name, String className) {
        try {
            return Class.forName(className).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            return new Missing(name, className);
        }
    }

    /** Stands in for a command whose module is not part of this build yet. */
    @Command(mixinStandardHelpOptions = true, description = "Not available in this build.")
    static final class Missing implements java.util.concurrent.Callable<Integer> {
        private final String name;
        private final String className;

        Missing(String name, String className) {
            this.name = name;
            this.className = className;
        }

        @Override
        public Integer call() {
            throw new dev.lockbox.cli.client.CliException(1, "'" + name + "' is not available in this build (" + className + " is missing)");
        }
    }
}

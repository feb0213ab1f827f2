package dev.lockbox.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a command reads from and writes to outside its options: standard streams, environment
 * variables and the user's home. Tests run commands in-process with their own copy, so they never
 * read the real {@code ~/.lockbox/config} or {@code LOCKBOX_TOKEN}.
 */
public record CliEnvironment(InputStream in, PrintStream out, PrintStream err, Map<String, String> variables, Path userHome) {
    public static final String SERVER_VARIABLE = "LOCKBOX_SERVER";
    public static final String TOKEN_VARIABLE = "LOCKBOX_TOKEN";
    public static final String CONFIG_VARIABLE = "LOCKBOX_CONFIG";

    public CliEnvironment {
        variables = Map.copyOf(variables);
    }

    public static CliEnvironment system() {
        return new CliEnvironment(System.in, System.out, System.err, System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /** A non-blank environment variable, or null. */
    public String variable(String name) {
        String v = variables.get(name);
        return v == null || v.isBlank() ? null : v.strip();
    }

    /** Where {@code login} writes and every command reads the server address and token. */
    public Path configFile() {
        String explicit = variable(CONFIG_VARIABLE);
        return explicit != null ? Path.of(explicit) : userHome.resolve(".lockbox").resolve("config");
    }
}

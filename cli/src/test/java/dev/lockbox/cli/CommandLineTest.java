package dev.lockbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockbox.cli.client.ExitCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line without a server: help, usage errors and missing configuration. */
class CommandLineTest {
    @TempDir
    Path home;

    @Test
    void everySubcommandHasHelp() {
        CliRun root = CliRun.run(home, Map.of(), "--help");
        assertThat(root.exitCode()).isZero();
        for (String name : new String[] {"login", "request", "status", "approve", "deny", "revoke", "cancel", "sql",
                "server", "export", "verify", "show"}) {
            assertThat(root.out()).as("listed in ./lockbox --help").contains("  " + name);
            CliRun help = CliRun.run(home, Map.of(), name, "--help");
            assertThat(help.exitCode()).as(name + " --help").isZero();
            assertThat(help.out()).as(name + " --help").contains("Usage: lockbox " + name);
        }
    }

    @Test
    void withoutArgumentsPrintsUsage() {
        CliRun run = CliRun.run(home, Map.of());
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("Usage: lockbox").contains("Exit codes:");
    }

    @Test
    void missingServerSaysHowToConfigureIt() {
        CliRun run = CliRun.run(home, Map.of(), "status");
        assertThat(run.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(run.err()).contains("no Lockbox server configured").contains("./lockbox login");
    }

    @Test
    void missingTokenSaysHowToConfigureIt() {
        CliRun run = CliRun.run(home, Map.of("LOCKBOX_SERVER", "http://127.0.0.1:1"), "status");
        assertThat(run.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(run.err()).contains("no API token configured");
    }

    @Test
    void badOptionValuesAreUsageErrorsThatNameTheProblem() {
        Map<String, String> vars = Map.of("LOCKBOX_SERVER", "http://127.0.0.1:1", "LOCKBOX_TOKEN", "t".repeat(30));
        CliRun period = CliRun.run(home, vars, "request", "--env", "crm", "--ticket", "T-1", "--justification", "x", "--period", "2 hours");
        assertThat(period.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(period.err()).contains("'2 hours' is not an ISO-8601 duration");

        CliRun negative = CliRun.run(home, vars, "request", "--env", "crm", "--ticket", "T-1", "--justification", "x", "--period", "-PT1H");
        assertThat(negative.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(negative.err()).contains("must be a positive duration");

        CliRun level = CliRun.run(home, vars, "request", "--env", "crm", "--ticket", "T-1", "--justification", "x", "--level", "ADMIN");
        assertThat(level.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(level.err()).contains("READ_ONLY").contains("READ_WRITE");

        CliRun missing = CliRun.run(home, vars, "request", "--env", "crm");
        assertThat(missing.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(missing.err()).contains("--ticket").contains("--justification");

        CliRun badId = CliRun.run(home, vars, "approve", "../users/admin");
        assertThat(badId.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(badId.err()).contains("is not a request id");

        CliRun badEnv = CliRun.run(home, vars, "sql", "--env", "Sales/../x");
        assertThat(badEnv.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(badEnv.err()).contains("is not an environment name");
    }

    @Test
    void anUnreachableServerIsExitCodeFourWithTheAddress() throws Exception {
        int port;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        CliRun run = CliRun.run(home, Map.of("LOCKBOX_SERVER", "http://127.0.0.1:" + port, "LOCKBOX_TOKEN", "t".repeat(30)), "status");
        assertThat(run.exitCode()).isEqualTo(ExitCode.UNREACHABLE);
        assertThat(run.err()).contains("cannot reach the Lockbox server at http://127.0.0.1:" + port);
    }

    @Test
    void configFileIsUsedWhenNoFlagOrVariableGivesTheValue() throws Exception {
        Path config = home.resolve("my-config");
        Files.writeString(config, "server=http://127.0.0.1:1\n");
        CliRun run = CliRun.run(home, Map.of("LOCKBOX_CONFIG", config.toString()), "status");
        // The server came from the file; the token is still missing.
        assertThat(run.err()).contains("no API token configured");
    }
}

package dev.lockbox.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockbox.cli.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./lockbox demo --exit} in-process: the real server, driver, SMTP sink, sample database and lake. */
class DemoCommandTest {
    @TempDir
    Path dir;

    @Test
    void theStoryRunsEndToEndAndExitsZero() throws Exception {
        Path data = dir.resolve("demo");
        CliRun run = CliRun.run(dir, Map.of(), "demo", "--exit", "--port", "0", "--window", "PT8S", "--data-dir", data.toString());
        String out = run.out();

        assertThat(out).as(run.toString())
                .contains("1/11  The lockbox policy protects sales-prod")
                .contains("✔ sales-prod is protected")
                .contains("✉ to alice@contoso.example: [Lockbox]")
                .contains("SQLException, SQLState 28000:")
                .contains("✔ refused with SQLState 28000")
                .contains("✔ approved by alice")
                .containsPattern("credential broker: user (lockbox_g_[0-9a-f]{16}) created with SELECT on schema PUBLIC")
                .containsPattern("database user lockbox_g_[0-9a-f]{16} created for this grant only")
                .containsPattern("the driver logged in to the database as LOCKBOX_G_[0-9A-F]{16}")
                .contains("ACC-000042    │ Northwind 6 │ CAS-00042")
                .contains("SQLException, SQLState 42501")
                .contains("✔ refused with SQLState 42501 and audited as DENIED; the database row is unchanged")
                .containsPattern("✔ the session was cut \\d+\\.\\d s after the window ended; new connections are refused; "
                        + "user lockbox_g_[0-9a-f]{16} dropped")
                .containsPattern("credential broker: user lockbox_g_[0-9a-f]{16} dropped")
                .containsPattern("✔ 1 Parquet file\\(s\\), \\d+ rows")
                .containsPattern("sales-prod: intact, \\d+ rows in 1 files")
                .contains("✔ the hash chain over the exported rows is intact")
                .containsPattern("UPDATE +DENIED .*UPDATE AccountBase SET Revenue = 0")
                .contains("✔ bob's statements, allowed and denied, read back from Parquet")
                .contains("✔ All 11 steps did what they say.");
        try (var files = Files.walk(data.resolve("lake"))) {
            assertThat(files.filter(p -> p.toString().endsWith(".parquet"))).hasSize(1);
        }
        assertThat(out).doesNotContain("✘");
        // --exit never waits for Ctrl-C.
        assertThat(run.exitCode()).as(run.toString()).isZero();
    }

    @Test
    void refusesADataDirectoryItDidNotMake() throws Exception {
        Path data = dir.resolve("precious");
        Files.createDirectories(data);
        Files.writeString(data.resolve("thesis.txt"), "do not delete");

        CliRun run = CliRun.run(dir, Map.of(), "demo", "--exit", "--port", "0", "--data-dir", data.toString());

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err()).contains("is not empty and was not made by the demo");
        assertThat(data.resolve("thesis.txt")).hasContent("do not delete");
    }
}

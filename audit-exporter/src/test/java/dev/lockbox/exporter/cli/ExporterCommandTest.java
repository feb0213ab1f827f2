package dev.lockbox.exporter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.exporter.testing.ChildJvm;
import dev.lockbox.exporter.testing.FeedHttpServer;
import dev.lockbox.exporter.testing.LakeFiles;
import dev.lockbox.exporter.testing.SyntheticAuditFeed;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ExporterCommandTest {
    private static final String TOKEN = "auditor-token-1234";
    private final SyntheticAuditFeed feed = new SyntheticAuditFeed(21, List.of("prod", "dev"), 600,
            Instant.parse("2026-04-01T21:00:00Z"), Duration.ofSeconds(20));
    private FeedHttpServer server;
    @TempDir
    Path dir;
    private String lake;

    record Run(int exit, String out, String err) {}

    @BeforeEach
    void start() throws Exception {
        server = new FeedHttpServer(feed, TOKEN, 250);
        lake = dir.resolve("lake").toString();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = ExporterCommand.newCommandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private Run export(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("export", "--lake", lake, "--server",
                server.uri().toString(), "--token", TOKEN, "--env", "prod", "--env", "dev", "--max-rows", "250"));
        args.addAll(List.of(extra));
        return run(args.toArray(String[]::new));
    }

    @Test
    void helpNamesTheCommandsAndOptions() {
        Run top = run("--help");
        assertThat(top.exit()).isZero();
        assertThat(top.out()).contains("export", "verify", "show");
        Run export = run("export", "--help");
        assertThat(export.out()).contains("--lake", "--server", "--token", "--env", "--follow", "--interval",
                "LOCKBOX_TOKEN", "./data/lake");
    }

    @Test
    void exportThenVerifyThenAnIdempotentRerun() {
        Run first = export();
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out()).contains("prod: 600 rows exported", "dev: 600 rows exported");
        Run verify = run("verify", "--lake", lake);
        assertThat(verify.exit()).as(verify.err()).isZero();
        assertThat(verify.out()).contains("dev: intact, 600 rows", "prod: intact, 600 rows");

        Run again = export();
        assertThat(again.exit()).isZero();
        assertThat(again.out()).contains("prod: 0 rows exported in 0 files, lake at sequence 600");
    }

    @Test
    void verifyFailsNamingTheFileAndSequence() throws Exception {
        assertThat(export().exit()).isZero();
        Path victim = Files.walk(dir.resolve("lake/sql_audit/environment=prod"))
                .filter(p -> p.getFileName().toString().startsWith("part-00000000000000000251-")).findFirst().orElseThrow();
        Files.delete(victim);
        Run verify = run("verify", "--lake", lake, "--env", "prod");
        assertThat(verify.exit()).isEqualTo(1);
        assertThat(verify.out()).contains("prod: BROKEN after 250 intact rows");
        assertThat(verify.err()).contains("verify failed: environment prod, file sql_audit/environment=prod/")
                .contains("part-00000000000000000501-", "sequence 251", "gap: sequences 251..500");
    }

    @Test
    void showFiltersByEngineerActionAndTime() {
        assertThat(export().exit()).isZero();
        Instant from = Instant.parse("2026-04-01T22:00:00Z");
        Instant to = Instant.parse("2026-04-02T01:00:00Z");
        List<AuditEvent> expected = feed.all("prod").stream()
                .filter(e -> "alice".equals(e.engineer()) && "UPDATE".equals(e.action())
                        && !e.eventTime().isBefore(from) && e.eventTime().isBefore(to))
                .toList();
        assertThat(expected).isNotEmpty();
        Run show = run("show", "--lake", lake, "--env", "prod", "--engineer", "alice", "--action", "update",
                "--from", "2026-04-01T22:00", "--to", "2026-04-02T01:00:00Z", "--limit", "1000");
        assertThat(show.exit()).as(show.err()).isZero();
        assertThat(show.out()).startsWith("EVENT_TIME").contains(expected.size() + " rows")
                .contains(expected.get(0).statement());
        assertThat(show.out().lines().filter(l -> l.contains(" UPDATE ")).count()).isEqualTo(expected.size());

        Run byRequest = run("show", "--lake", lake, "--request", feed.all("dev").get(0).requestId(), "--limit", "1000");
        assertThat(byRequest.out()).contains("CONNECT", "DISCONNECT", "40 rows");
    }

    @Test
    void withoutEnvItExportsEveryEnvironmentTheServerLists() {
        Run all = run("export", "--lake", lake, "--server", server.uri().toString(), "--token", TOKEN);
        assertThat(all.exit()).as(all.err()).isZero();
        assertThat(server.requests).contains("/api/audit/environments");
        assertThat(all.out()).contains("prod: 600 rows exported", "dev: 600 rows exported");
        Run verify = run("verify", "--lake", lake);
        assertThat(verify.exit()).as(verify.out() + verify.err()).isZero();
        assertThat(verify.out()).contains("prod", "dev");
    }

    @Test
    void badInputGetsAClearErrorAndChangesNothing() throws Exception {

        Run badEnv = export("--env", "Prod;DROP");
        assertThat(badEnv.exit()).isEqualTo(2);
        assertThat(badEnv.err()).contains("not an environment name: 'Prod;DROP'");

        Run badInterval = export("--follow", "--interval", "soon");
        assertThat(badInterval.exit()).isEqualTo(2);
        assertThat(badInterval.err()).contains("'soon' is not a duration");

        Run badRange = run("show", "--lake", lake, "--from", "2026-04-02", "--to", "2026-04-01");
        assertThat(badRange.exit()).isEqualTo(2);
        assertThat(badRange.err()).contains("the time range is empty");

        Run badTime = run("show", "--lake", lake, "--from", "yesterday");
        assertThat(badTime.exit()).isEqualTo(2);
        assertThat(badTime.err()).contains("'yesterday' is not a time");

        Run wrongToken = run("export", "--lake", lake, "--server", server.uri().toString(), "--token", "guess",
                "--env", "prod");
        assertThat(wrongToken.exit()).isEqualTo(1);
        assertThat(wrongToken.out()).contains("prod: 0 rows exported", "FAILED", "401");

        if (System.getenv("LOCKBOX_TOKEN") == null) {
            Run noToken = run("export", "--lake", lake, "--server", server.uri().toString(), "--env", "prod");
            assertThat(noToken.exit()).isEqualTo(2);
            assertThat(noToken.err()).contains("an auditor token is needed");
        }
        assertThat(LakeFiles.parquet(dir.resolve("lake"))).isEmpty();

        Run verifyEmpty = run("verify", "--lake", lake);
        assertThat(verifyEmpty.exit()).isEqualTo(1);
        assertThat(verifyEmpty.err()).contains("no environments in the lake");
    }

    @Test
    void followCommitsWhatIsOpenWhenStopped() throws Exception {
        Path log = dir.resolve("follow.log");
        Process p = ChildJvm.command(ExporterCommand.class, dir, "export", "--lake", "lake", "--server",
                server.uri().toString(), "--token", TOKEN, "--env", "prod", "--follow", "--interval", "1s",
                "--max-rows", "250", "--max-age", "1h").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        // Stream closing on destroy() would lose the output; a file keeps it.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                .until(() -> Files.readString(log).split("committed sql_audit/", -1).length - 1 >= 2);
        // The feed's day changes after sequence 539; rows 540..600 then sit in an open file
        // (max-age 1h) that only SIGTERM commits. A pass in progress finishes first.
        p.destroy();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(log)).contains("part-00000000000000000540-00000000000000000600.parquet (61 rows)");
        assertThat(LakeFiles.parquet(dir.resolve("lake"))).hasSize(4);
        assertThat(LakeFiles.all(dir.resolve("lake"))).allMatch(n -> n.endsWith(".parquet"));
    }

    @Test
    void theStandaloneCommandPrintsNoHadoopWarningsOrStackTraces() throws Exception {
        Process p = ChildJvm.command(ExporterCommand.class, dir, "export", "--lake", "lake", "--server",
                server.uri().toString(), "--token", TOKEN, "--env", "prod").redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err).isZero();
        assertThat(out).contains("prod: 600 rows exported");
        assertThat(err).contains("committed sql_audit/environment=prod/")
                .doesNotContain("WARN", "Exception", "HADOOP_HOME", "winutils", "native-hadoop", "SLF4J", "\tat ");
        assertThat(LakeFiles.all(dir.resolve("lake"))).isNotEmpty().allMatch(n -> n.endsWith(".parquet"));
    }
}

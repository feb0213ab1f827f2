package dev.lockbox.cli.demo;

import dev.lockbox.api.request.AccessLevel;
import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.api.request.NewAccessRequest;
import dev.lockbox.cli.client.CliException;
import dev.lockbox.cli.client.LockboxClient.DecisionVerb;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;

/** What the demo prints around the story: what is running, then how to try it yourself. */
final class DemoGuide {
    private DemoGuide() {}

    static void printStage(PrintStream out, DemoStage stage) {
        out.println();
        out.println("Running on this machine:");
        out.printf("  approval server   %s (embedded H2 store in %s)%n", stage.server.baseUrl(), stage.dataDir.resolve("server"));
        out.printf("  protected db      %s: H2 over TCP, %,d accounts, %,d contacts, %,d incidents, 5 time zones%n",
                DemoStage.ENVIRONMENT, DemoStage.SAMPLE_ACCOUNTS, 2 * DemoStage.SAMPLE_ACCOUNTS, DemoStage.SAMPLE_ACCOUNTS);
        out.println("  credentials       credential broker: a database user per grant, dropped when the grant ends");
        out.printf("  mail              SMTP sink on 127.0.0.1:%d (prints every mail it receives)%n", stage.smtp.port());
        out.println("  users             alice (approver of " + DemoStage.ENVIRONMENT + "), bob (engineer), audra (auditor), admin");
    }

    static void printTryIt(PrintStream out, DemoStage stage, Path repository) {
        String url = stage.server.baseUrl();
        String bob = stage.user("bob").token();
        out.println();
        out.println("The demo keeps running: try it yourself (Ctrl-C stops it).");
        out.println();
        out.println("  API          " + url + "   (docs/api.md)");
        out.println("  Users and their API tokens:");
        for (DemoUser u : stage.users.values()) {
            out.printf("    %-6s %-9s %s%n", u.name(), u.role().name().toLowerCase(java.util.Locale.ROOT), u.token());
        }
        out.println();
        Optional<AccessRequest> fresh = freshGrant(stage);
        if (fresh.isPresent()) {
            out.println("  bob has a fresh READ_ONLY grant for 1 hour (request " + fresh.get().id() + ", approved by alice),");
            out.println("  so you can connect right away:");
        } else {
            out.println("  To connect as bob, file a request and approve it as alice first:");
            out.println("    LOCKBOX_SERVER=" + url + " LOCKBOX_TOKEN=" + bob + " ./lockbox request --env "
                    + DemoStage.ENVIRONMENT + " --ticket CAS-01043 --justification \"look around\"");
            out.println("    LOCKBOX_SERVER=" + url + " LOCKBOX_TOKEN=" + stage.user("alice").token() + " ./lockbox approve REQUEST_ID");
        }
        out.println();
        out.println("  From a terminal:");
        out.println("    export LOCKBOX_SERVER=" + url + " LOCKBOX_TOKEN=" + bob);
        out.println("    ./lockbox sql --env " + DemoStage.ENVIRONMENT);
        out.println();
        out.println("  From a JDBC tool (DBeaver, DataGrip, sqlline, your code):");
        out.println("    URL       " + stage.lockboxUrl());
        out.println("    user      bob");
        out.println("    password  " + bob + "   (bob's API token)");
        out.println("    driver    dev.lockbox.driver.LockboxDriver in " + driverJar(repository));
        out.println();
        out.println("  The audit lake (Parquet), e.g. with DuckDB:");
        out.println("    SELECT event_time, engineer, action, decision, statement FROM read_parquet('"
                + stage.lakeDir().toAbsolutePath() + "/sql_audit/**/*.parquet', hive_partitioning=true) ORDER BY sequence;");
    }

    /** A one-hour grant for bob, so a person can connect at once; empty (with the manual steps shown) if the server says no. */
    private static Optional<AccessRequest> freshGrant(DemoStage stage) {
        try {
            AccessRequest r = stage.as("bob").createRequest(new NewAccessRequest(DemoStage.ENVIRONMENT, "CAS-01043",
                    "Try the lockbox driver after the demo", AccessLevel.READ_ONLY, Duration.ofHours(1), null));
            AccessRequest approved = stage.as("alice").decide(r.id(), DecisionVerb.APPROVE, "demo: try it yourself");
            return Optional.of(approved).filter(a -> a.status() == dev.lockbox.api.request.RequestStatus.APPROVED);
        } catch (CliException e) {
            return Optional.empty();
        }
    }

    /** The shaded driver jar, or how to build it. */
    static String driverJar(Path repository) {
        Path target = repository.resolve("driver").resolve("target");
        if (Files.isDirectory(target)) {
            try (Stream<Path> files = Files.list(target)) {
                Optional<Path> jar = files.filter(p -> p.getFileName().toString().matches("lockbox-driver-.*-all\\.jar")).findFirst();
                if (jar.isPresent()) return jar.get().toAbsolutePath().toString();
            } catch (IOException e) {
                // fall through to the build hint
            }
        }
        return repository.resolve("driver/target/lockbox-driver-<version>-all.jar") + " (build it: mvn -pl driver -am package -DskipTests)";
    }
}

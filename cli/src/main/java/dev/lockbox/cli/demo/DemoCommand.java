package dev.lockbox.cli.demo;

import dev.lockbox.cli.CliEnvironment;
import dev.lockbox.cli.LockboxCommand;
import dev.lockbox.cli.client.ExitCode;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code lockbox demo}: the whole lockbox story on this machine, with real pieces (approval server,
 * sample H2 database over TCP, SMTP sink, lockbox driver, Parquet lake), then keeps everything
 * running so a person can try it.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Tell the lockbox story on this machine: a protected sample database, an engineer's request,",
            "the approver's e-mail, a refused connection, approval, audited queries, a refused write, the end of",
            "the access window, the Parquet export, verify and show. Then keep running (Ctrl-C stops) so you can",
            "connect with './lockbox sql' or a JDBC tool."})
public final class DemoCommand implements Callable<Integer> {
    @ParentCommand
    LockboxCommand root;

    @Option(names = "--exit", description = "Stop after the story; exit 0 only if every step did what it says (for CI).")
    boolean exitAfterStory;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data/demo",
            description = "Where the demo keeps its server store and lake (default ${DEFAULT-VALUE}; emptied at each start).")
    Path dataDir;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8470",
            description = "Port of the approval server (default ${DEFAULT-VALUE}; any free port if taken; 0 = any).")
    int port;

    @Option(names = "--window", paramLabel = "DURATION", defaultValue = "PT20S",
            converter = dev.lockbox.cli.request.RequestCommand.IsoDurationConverter.class,
            description = "Access period of the story's request: the demo waits for it to end (default ${DEFAULT-VALUE}).")
    Duration window;

    @Option(names = "--verbose", description = "Show the server's own log lines (access log, scheduler) as well.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        CliEnvironment env = root.environment();
        PrintStream out = env.out();
        if (!verbose) DemoLogging.quiet();
        out.println("Lockbox demo: the lockbox story on this machine");
        Path dir = DemoStage.prepareDataDir(dataDir);
        DemoStage stage = DemoStage.start(dir, port, Duration.ofSeconds(5));
        CountDownLatch closed = new CountDownLatch(1);
        boolean told;
        try {
            DemoGuide.printStage(out, stage);
            DemoStory story = new DemoStory(stage, out, window, new LakeReview());
            told = story.tell();
            out.println();
            out.println(told ? "✔ All " + story.log().total() + " steps did what they say."
                    : "✘ " + story.log().passed() + " of " + story.log().total() + " steps passed.");
            if (exitAfterStory) return told ? ExitCode.OK : ExitCode.REFUSED;
            DemoGuide.printTryIt(out, stage, repositoryRoot());
            awaitCtrlC(closed);
            out.println("Stopping the demo…");
            return told ? ExitCode.OK : ExitCode.REFUSED;
        } finally {
            stage.close();
            closed.countDown();
        }
    }

    /**
     * Blocks until Ctrl-C. The JVM does not wait for this thread during shutdown, so the hook waits
     * (bounded) until the stage is closed: the server's H2 store is then shut down cleanly.
     */
    private static void awaitCtrlC(CountDownLatch closed) throws InterruptedException {
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            try {
                closed.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "lockbox-demo-stop"));
        stop.await();
    }

    /** The checkout the launcher runs from (it passes -Dlockbox.home), else the working directory. */
    private static Path repositoryRoot() {
        String home = System.getProperty("lockbox.home");
        Path p = home != null ? Path.of(home) : Path.of("").toAbsolutePath();
        return Files.isDirectory(p) ? p : Path.of("").toAbsolutePath();
    }

    /** Keeps the demo's output to the story: libraries log warnings and errors only. */
    static final class DemoLogging {
        static void quiet() {
            if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context) {
                context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(ch.qos.logback.classic.Level.WARN);
                // Hadoop warns that it has no native library on every laptop; the pure-Java code is what we use.
                context.getLogger("org.apache.hadoop").setLevel(ch.qos.logback.classic.Level.ERROR);
            }
        }
    }
}

package dev.lockbox.server.process;

import dev.lockbox.server.ServerCommand;
import dev.lockbox.server.testing.ServerStartLine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The approval server as a separate JVM ({@link ServerCommand}, exactly as an operator starts it),
 * so a test can SIGKILL or SIGTERM it: only a real process shows what survives a kill -9 and
 * whether Ctrl-C ends it cleanly. Its stdout and stderr go to a file, not a pipe: the JDK closes a
 * child's pipe when the child exits, which would lose the last lines a reader thread had not yet
 * taken (exactly the shutdown lines these tests look at).
 */
final class ChildServer implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final String baseUrl;

    private ChildServer(Process process, Path log, String baseUrl) {
        this.process = process;
        this.log = log;
        this.baseUrl = baseUrl;
    }

    /** Starts {@code ServerCommand --port 0 --data-dir dir} and waits (generously: the machine is shared) until it listens. */
    static ChildServer start(Path dataDir, String adminToken, String... extraArgs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", // small and quick to start: several children per test
                "-cp", System.getProperty("java.class.path"),
                ServerCommand.class.getName(), "--port", "0", "--data-dir", dataDir.toString()));
        cmd.addAll(List.of(extraArgs));
        Path log = Files.createTempFile("lockbox-child", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("LOCKBOX_ADMIN_TOKEN", adminToken);
        Process process = pb.start();
        return new ChildServer(process, log, ServerStartLine.await(process, log, Duration.ofSeconds(90)));
    }

    String baseUrl() {
        return baseUrl;
    }

    /** SIGKILL: no shutdown hook, no flush, nothing the process can do about it. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(60, TimeUnit.SECONDS)) throw new AssertionError("child did not die after SIGKILL");
    }

    /** SIGTERM (what Ctrl-C and service managers send); returns the exit code. */
    int terminate() throws Exception {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("child did not exit within 60 s of SIGTERM; output:\n" + output());
        }
        return process.exitValue();
    }

    /** Everything the child printed so far. */
    String output() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(60, TimeUnit.SECONDS);
        }
        Files.deleteIfExists(log);
    }
}

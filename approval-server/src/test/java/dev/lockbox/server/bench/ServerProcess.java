package dev.lockbox.server.bench;

import dev.lockbox.server.ServerCommand;
import dev.lockbox.server.testing.ServerStartLine;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The approval server as its own JVM, started as {@code ./lockbox server} starts it: the JVM
 * options of {@code approval-server/server-jvm.options} (the production defaults, passed as a
 * {@code java @file} argument file), then {@code $LOCKBOX_JAVA_OPTS}, then
 * {@link ServerCommand} with the production logging ({@code logback.xml}: one access line per
 * request on stderr, which goes to a file here as it would to a journal). So the benchmark measures
 * the server's own garbage collector and JIT, not the load generator's.
 */
public final class ServerProcess implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final String baseUrl;

    private ServerProcess(Process process, Path log, String baseUrl) {
        this.process = process;
        this.log = log;
        this.baseUrl = baseUrl;
    }

    /**
     * {@code optionsFile}: the server's JVM argument file ({@code server-jvm.options}); the class
     * path is this JVM's without its test classes.
     */
    public static ServerProcess start(Path optionsFile, Path dataDir, String adminToken) throws IOException, InterruptedException {
        if (!Files.isRegularFile(optionsFile)) throw new IllegalArgumentException("no JVM options file " + optionsFile.toAbsolutePath());
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("@" + optionsFile.toAbsolutePath());
        String extra = System.getenv("LOCKBOX_JAVA_OPTS"); // as the launcher: after the file, so they win
        if (extra != null && !extra.isBlank()) cmd.addAll(Arrays.asList(extra.trim().split("\\s+")));
        cmd.addAll(List.of("-cp", serverClassPath(), ServerCommand.class.getName(),
                "--host", "127.0.0.1", "--port", "0", "--data-dir", dataDir.toString()));
        Path log = dataDir.resolveSibling(dataDir.getFileName() + "-server.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("LOCKBOX_ADMIN_TOKEN", adminToken);
        Process process = pb.start();
        return new ServerProcess(process, log, ServerStartLine.await(process, log, Duration.ofSeconds(120)));
    }

    /**
     * This JVM's class path without the test classes and test jars: as in production, the server
     * then finds {@code logback.xml} (asynchronous access log), not the tests' {@code logback-test.xml}.
     */
    private static String serverClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.endsWith("test-classes") && !e.endsWith("-tests.jar"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    public String baseUrl() {
        return baseUrl;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    /** SIGTERM, as a service manager stops it: the server drains its access log before it exits. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(60, TimeUnit.SECONDS);
        }
    }
}

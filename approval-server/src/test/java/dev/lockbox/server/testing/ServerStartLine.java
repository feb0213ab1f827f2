package dev.lockbox.server.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Waits for a server started as a child process to print the line saying where it listens. */
public final class ServerStartLine {
    // Trailing blank: the whole URL, not a line half written.
    private static final Pattern LISTENING = Pattern.compile("Lockbox server listening on (http://\\S+)\\s");

    private ServerStartLine() {}

    /**
     * The server's base URL, read from {@code log} (the process's output) once it appears; if the
     * process ends or {@code timeout} passes first, the process is killed and the exception carries
     * its output.
     */
    public static String await(Process process, Path log, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = LISTENING.matcher(Files.readString(log));
            if (m.find()) return m.group(1);
            if (!process.isAlive()) break;
            Thread.sleep(100);
        }
        process.destroyForcibly();
        process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
        throw new IllegalStateException("the server did not start (waited up to " + timeout.toSeconds() + " s); its output ("
                + log + "):\n" + Files.readString(log));
    }
}

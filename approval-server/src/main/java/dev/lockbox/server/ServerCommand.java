package dev.lockbox.server;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lockbox-server}: runs the approval server until stopped (Ctrl-C / SIGTERM). */
@Command(name = "lockbox-server", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs the Lockbox approval server.",
                "Each option can also be set as environment variable LOCKBOX_<NAME> (e.g. LOCKBOX_SMTP_HOST)",
                "or as key <name> in the --config properties file; flags win over variables, variables over the file."})
public final class ServerCommand implements Callable<Integer> {
    @Option(names = "--config", description = "Properties file with settings (keys as the option names, e.g. port=8470).")
    Path configFile;
    @Option(names = "--host", description = "Address to listen on (default 127.0.0.1).")
    String host;
    @Option(names = "--port", description = "Port; 0 = any free port (default 8470).")
    String port;
    @Option(names = "--audit-channel-port", description = "Also take drivers' audit batches on this TCP port "
            + "(a kept-open connection per driver, cheaper per statement than HTTP; docs/audit-log.md); "
            + "0 = any free port; unset = off.")
    String auditChannelPort;
    @Option(names = "--audit-journal", paramLabel = "on|off", description = "Acknowledge audit batches once "
            + "appended to a journal under the data directory and write them to the H2 store behind it "
            + "(as durable as the store's own commit, several times cheaper; docs/audit-log.md); default off.")
    String auditJournal;
    @Option(names = "--data-dir", description = "Data directory (default ./data).")
    String dataDir;
    @Option(names = "--store-url", description = "Store JDBC URL (default: embedded H2 file under the data directory).")
    String storeUrl;
    @Option(names = "--store-user", description = "Store user.")
    String storeUser;
    @Option(names = "--store-password", description = "Store password (prefer LOCKBOX_STORE_PASSWORD).")
    String storePassword;
    @Option(names = "--request-ttl", description = "How long a request waits for a decision (default PT12H).")
    String requestTtl;
    @Option(names = "--max-access-period", description = "Longest access period (default PT8H).")
    String maxAccessPeriod;
    @Option(names = "--recent-window", description = "What 'recent' requests means (default P28D).")
    String recentWindow;
    @Option(names = "--outcome-timeout", description = "Seal audit events whose outcome never came after (default PT10M).")
    String outcomeTimeout;
    @Option(names = "--smtp-host", description = "SMTP server; unset = mails stay queued.")
    String smtpHost;
    @Option(names = "--smtp-port", description = "SMTP port (default 25).")
    String smtpPort;
    @Option(names = "--smtp-from", description = "Sender address.")
    String smtpFrom;
    @Option(names = "--smtp-user", description = "SMTP login (enables AUTH + STARTTLS).")
    String smtpUser;
    @Option(names = "--smtp-password", description = "SMTP password (prefer LOCKBOX_SMTP_PASSWORD).")
    String smtpPassword;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ServerCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Map<String, String> flags = new HashMap<>();
        put(flags, "host", host);
        put(flags, "port", port);
        put(flags, "audit-channel-port", auditChannelPort);
        put(flags, "audit-journal", auditJournal);
        put(flags, "data-dir", dataDir);
        put(flags, "store-url", storeUrl);
        put(flags, "store-user", storeUser);
        put(flags, "store-password", storePassword);
        put(flags, "request-ttl", requestTtl);
        put(flags, "max-access-period", maxAccessPeriod);
        put(flags, "recent-window", recentWindow);
        put(flags, "outcome-timeout", outcomeTimeout);
        put(flags, "smtp-host", smtpHost);
        put(flags, "smtp-port", smtpPort);
        put(flags, "smtp-from", smtpFrom);
        put(flags, "smtp-user", smtpUser);
        put(flags, "smtp-password", smtpPassword);
        Properties file = new Properties();
        if (configFile != null) {
            try (Reader r = Files.newBufferedReader(configFile)) {
                file.load(r);
            } catch (IOException e) {
                System.err.println("cannot read config file " + configFile + ": " + e.getMessage());
                return 2;
            }
        }
        ServerConfig config;
        try {
            config = new ServerSettings(flags, System.getenv(), file).toConfig();
        } catch (IllegalArgumentException e) {
            System.err.println("invalid setting: " + e.getMessage());
            return 2;
        }
        LockboxServer server = LockboxServer.start(config, Clock.systemUTC());
        System.out.println("Lockbox server listening on " + server.baseUrl()
                + (server.auditChannelPort() == null ? "" : " (audit channel on port " + server.auditChannelPort() + ")")
                + (config.auditJournal() ? " with the audit intake journal" : ""));
        CountDownLatch stopped = new CountDownLatch(1);
        // Ctrl-C / SIGTERM: stop taking requests, let the scheduler and mail sender finish, then close the
        // store pool, so the process ends without half-done work or stack traces. The JVM then exits
        // with 143 (128 + SIGTERM), the usual status of a service stopped by its manager.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
                System.out.println("Lockbox server stopped");
            } catch (RuntimeException e) {
                System.err.println("Lockbox server stopped with an error while closing: " + e);
            } finally {
                // The access log is written by a background thread: let it write its last lines.
                if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext logs) logs.stop();
                stopped.countDown();
            }
        }, "lockbox-shutdown"));
        stopped.await();
        return 0;
    }

    private static void put(Map<String, String> flags, String name, String value) {
        if (value != null) flags.put(name, value);
    }
}

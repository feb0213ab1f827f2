package dev.lockbox.cli.demo;

import dev.lockbox.api.admin.EnvironmentSpec;
import dev.lockbox.api.admin.NewUser;
import dev.lockbox.api.admin.Role;
import dev.lockbox.cli.client.LockboxClient;
import dev.lockbox.cli.client.ServerAddress;
import dev.lockbox.cli.client.ServerCredentials;
import dev.lockbox.fixtures.SampleDatabase;
import dev.lockbox.fixtures.SmtpSink;
import dev.lockbox.server.LockboxServer;
import dev.lockbox.server.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Everything the demo runs on this machine: the sample protected database (H2 over TCP, so
 * {@code ./lockbox sql} in another terminal reaches it), an SMTP sink that prints mails, and the
 * approval server on the embedded defaults, with the demo's users and environment created
 * through the HTTP API as an admin would.
 */
final class DemoStage implements AutoCloseable {
    static final String ENVIRONMENT = "sales-prod";
    static final int SAMPLE_ACCOUNTS = 1_000;

    final Path dataDir;
    final SampleDatabase database;
    final SmtpSink smtp;
    final LockboxServer server;
    final Map<String, DemoUser> users = new LinkedHashMap<>();

    private DemoStage(Path dataDir, SampleDatabase database, SmtpSink smtp, LockboxServer server) {
        this.dataDir = dataDir;
        this.database = database;
        this.smtp = smtp;
        this.server = server;
    }

    /** Starts every piece; on any failure stops what was started. */
    static DemoStage start(Path dataDir, int port, Duration outcomeTimeout) throws SQLException {
        SampleDatabase database = null;
        SmtpSink smtp = null;
        try {
            database = SampleDatabase.overTcp("lockbox-demo-" + Long.toHexString(System.nanoTime())).populate(SAMPLE_ACCOUNTS);
            smtp = new SmtpSink();
            String adminToken = newToken();
            ServerConfig config = ServerConfig.defaults()
                    .withDataDir(dataDir.resolve("server"))
                    .withAdminToken(adminToken)
                    .withOutcomeTimeout(outcomeTimeout)
                    .withAuditChannelPort(0) // the engineers' sync statements audited over the audit channel
                    .withAuditJournal(true) // and acknowledged from the intake journal
                    .withSmtp(ServerConfig.SmtpSettings.of("127.0.0.1", smtp.port(), "lockbox@demo.localhost")
                            .withRetry(Duration.ofMillis(200), Duration.ofSeconds(2)));
            // H2 would close the store from its own shutdown hook, racing the server's scheduler on Ctrl-C;
            // the demo's hook closes the server (and with it the store) instead.
            config = config.withStore(config.effectiveStoreUrl() + ";DB_CLOSE_ON_EXIT=FALSE", config.storeUser(), config.storePassword());
            LockboxServer server = startServer(config, port);
            DemoStage stage = new DemoStage(dataDir, database, smtp, server);
            stage.users.put("admin", new DemoUser(LockboxServer.ADMIN_USER, Role.ADMIN, null, adminToken));
            stage.cast();
            return stage;
        } catch (RuntimeException | SQLException e) {
            if (smtp != null) smtp.close();
            if (database != null) database.close();
            throw e;
        }
    }

    /** The preferred port, or any free one when something else holds it (a second demo, a real server). */
    private static LockboxServer startServer(ServerConfig config, int port) {
        try {
            return LockboxServer.start(config.withPort(port), Clock.systemUTC());
        } catch (RuntimeException e) {
            if (port == 0 || !causedByBind(e)) throw e;
            return LockboxServer.start(config.withPort(0), Clock.systemUTC());
        }
    }

    private static boolean causedByBind(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) return true;
        }
        return false;
    }

    /** The cast and the protected environment, created as an admin would over the API. */
    private void cast() {
        LockboxClient admin = as("admin");
        for (NewUser u : List.of(
                new NewUser("alice", List.of(Role.APPROVER), "alice@contoso.example", null),
                new NewUser("bob", List.of(Role.ENGINEER), "bob@support.example", null),
                new NewUser("audra", List.of(Role.AUDITOR), "audra@contoso.example", null))) {
            String token = admin.createUser(u).token();
            users.put(u.name(), new DemoUser(u.name(), u.roles().get(0), u.email(), token));
        }
        // The credential broker: the server holds the sample database's admin account (write-only in
        // the API, never returned) and creates a database user per grant with exactly its rights,
        // handed to the driver at connect and dropped when the grant ends.
        admin.createEnvironment(EnvironmentSpec.broker(ENVIRONMENT, "Sales (production)", database.jdbcUrl(), List.of("alice"),
                database.adminUser(), database.adminPassword(), null));
    }

    LockboxClient as(String user) {
        return new LockboxClient(new ServerCredentials(ServerAddress.parse(server.baseUrl()), users.get(user).token()));
    }

    DemoUser user(String name) {
        return users.get(name);
    }

    String lockboxUrl() {
        return "jdbc:lockbox://127.0.0.1:" + server.port() + "/" + ENVIRONMENT;
    }

    /** The user names on the sample database, as H2 stores them (upper case). */
    Set<String> databaseUsers() throws SQLException {
        Set<String> names = new TreeSet<>();
        try (var c = database.openAdminConnection(); var s = c.createStatement();
             var rs = s.executeQuery("SELECT USER_NAME FROM INFORMATION_SCHEMA.USERS")) {
            while (rs.next()) names.add(rs.getString(1));
        }
        return names;
    }

    Path lakeDir() {
        return dataDir.resolve("lake");
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            try {
                smtp.close();
            } finally {
                try {
                    database.close();
                } catch (SQLException ignored) {
                    // the sample database lives in memory: nothing to lose
                }
            }
        }
    }

    private static String newToken() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * The demo's data directory: created when missing; a directory left by an earlier demo (it
     * holds {@code .lockbox-demo}) is emptied; anything else that is not empty is refused, so the
     * demo never deletes files it did not make.
     */
    static Path prepareDataDir(Path dir) throws IOException {
        Path marker = dir.resolve(".lockbox-demo");
        if (Files.isDirectory(dir)) {
            boolean empty;
            try (var entries = Files.list(dir)) {
                empty = entries.findAny().isEmpty();
            }
            if (!empty && !Files.exists(marker)) {
                throw new IllegalStateException(dir.toAbsolutePath() + " is not empty and was not made by the demo;"
                        + " choose another --data-dir");
            }
            if (!empty) deleteContents(dir);
        } else if (Files.exists(dir)) {
            throw new IllegalStateException(dir.toAbsolutePath() + " exists and is not a directory; choose another --data-dir");
        }
        Files.createDirectories(dir);
        Files.writeString(marker, "Made by ./lockbox demo; emptied at each start of the demo.\n");
        return dir;
    }

    private static void deleteContents(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(dir)).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}

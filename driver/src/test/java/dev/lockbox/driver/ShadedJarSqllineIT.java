package dev.lockbox.driver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockbox.api.audit.AuditEventSubmission;
import dev.lockbox.api.audit.Decision;
import dev.lockbox.driver.testing.InMemoryLockboxServer;
import dev.lockbox.driver.testing.LoopbackHttpServer;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.h2.tools.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After {@code package}: sqlline (a real JDBC command-line client) in a separate JVM whose class path
 * holds only the shaded {@code -all} jar, sqlline and the target's H2 driver, runs a script through
 * {@code jdbc:lockbox://} against a loopback approval server. Proves the relocated jar loads alone
 * and that a tool's statements are enforced and audited.
 */
class ShadedJarSqllineIT {
    @TempDir
    Path tmp;

    @Test
    void sqllineRunsAScriptThroughTheShadedJar() throws Exception {
        String db = "it-" + UUID.randomUUID();
        Server tcp = Server.createTcpServer("-tcpPort", "0").start();
        try (Connection admin = DriverManager.getConnection("jdbc:h2:mem:" + db + ";DB_CLOSE_DELAY=-1", "sa", "")) {
            try (Statement s = admin.createStatement()) {
                s.execute("CREATE TABLE orders(id INT AUTO_INCREMENT PRIMARY KEY, customer VARCHAR(50), amount INT)");
                s.execute("CREATE TABLE customers(id INT PRIMARY KEY, name VARCHAR(50))");
                s.execute("INSERT INTO customers VALUES (1, 'ada'), (2, 'bob')");
            }
            InMemoryLockboxServer backend = new InMemoryLockboxServer("shop",
                    "jdbc:h2:tcp://127.0.0.1:" + tcp.getPort() + "/mem:" + db, Clock.systemUTC());
            try (LoopbackHttpServer http = new LoopbackHttpServer(backend, "token-alice")) {
                Path script = tmp.resolve("script.sql");
                Files.writeString(script, String.join("\n",
                        "SELECT name FROM customers ORDER BY id;",
                        "INSERT INTO orders(customer, amount) VALUES ('sqlline', 42);",
                        "DROP TABLE customers;",
                        "!quit", ""));
                List<String> cmd = new ArrayList<>(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp", childClassPath(), "sqlline.SqlLine",
                        "-u", "jdbc:lockbox://127.0.0.1:" + http.port() + "/shop?applicationName=sqlline",
                        "-n", "alice", "-p", "token-alice",
                        "-d", "dev.lockbox.driver.LockboxDriver",
                        "--outputformat=csv", "-f", script.toString()));
                Path out = tmp.resolve("out.txt");
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
                assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("sqlline finished").isTrue();
                String output = Files.readString(out, StandardCharsets.UTF_8);

                assertThat(output).contains("ada").contains("bob");
                assertThat(output).contains("Lockbox refused the statement").contains("42501");
                List<AuditEventSubmission> events = backend.events();
                assertThat(events).as(output).extracting(AuditEventSubmission::statement).contains(
                        "SELECT name FROM customers ORDER BY id",
                        "INSERT INTO orders(customer, amount) VALUES ('sqlline', 42)",
                        "DROP TABLE customers");
                assertThat(events.stream().filter(e -> e.statement().startsWith("DROP")).findFirst().orElseThrow()
                        .decision()).isEqualTo(Decision.DENIED);
                assertThat(events).allMatch(e -> "sqlline".equals(e.applicationName()));
                assertThat(backend.closedSessions).hasSize(1);
            }
            try (Statement s = admin.createStatement();
                 ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM orders WHERE customer = 'sqlline' AND amount = 42")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
            try (Statement s = admin.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM customers")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(2);
            }
        } finally {
            tcp.stop();
        }
    }

    /** The shaded jar, sqlline with its jline jars, and H2: nothing else of this build. */
    private static String childClassPath() throws Exception {
        Path shaded;
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            shaded = files.filter(f -> f.getFileName().toString().endsWith("-all.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("run 'mvn package' first: no target/*-all.jar"));
        }
        List<String> entries = new ArrayList<>();
        entries.add(shaded.toAbsolutePath().toString());
        entries.addAll(Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> e.contains("/sqlline/") || e.contains("/org/jline/") || e.contains("/com/h2database/"))
                .collect(Collectors.toList()));
        return String.join(File.pathSeparator, entries);
    }
}

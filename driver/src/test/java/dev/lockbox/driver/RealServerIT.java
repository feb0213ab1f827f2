package dev.lockbox.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockbox.api.LockboxJson;
import dev.lockbox.api.admin.EnvironmentSpec;
import dev.lockbox.api.admin.NewUser;
import dev.lockbox.api.admin.Role;
import dev.lockbox.api.request.AccessLevel;
import dev.lockbox.api.request.NewAccessRequest;
import dev.lockbox.driver.testing.AuditPostCounter;
import dev.lockbox.server.LockboxServer;
import dev.lockbox.server.ServerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver against the real approval server on loopback (H2 file store in a temp dir) and a real
 * H2 target: request, approval, connect through DriverManager, statements audited and sealed by the
 * server, a refusal audited as DENIED, revocation ending the session within one second.
 */
class RealServerIT {
    static final String ADMIN = "it-admin-token-0123456789abcdef";
    private static final ObjectMapper JSON = LockboxJson.newMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    LockboxServer server;
    private Connection admin;
    private String h2Url;
    String aliceToken;
    String bobToken;

    /** The server's configuration; {@link RealServerWithAuditChannelIT} adds the audit channel. */
    ServerConfig serverConfig(ServerConfig base) {
        return base;
    }

    @BeforeEach
    void setUp() throws Exception {
        h2Url = "jdbc:h2:mem:real-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        admin = DriverManager.getConnection(h2Url, "sa", "");
        try (Statement s = admin.createStatement()) {
            s.execute("CREATE TABLE orders(id INT AUTO_INCREMENT PRIMARY KEY, customer VARCHAR(50), amount INT)");
            s.execute("CREATE TABLE customers(id INT PRIMARY KEY, name VARCHAR(50))");
            s.execute("INSERT INTO customers VALUES (1, 'ada'), (2, 'bob')");
            s.execute("CREATE USER eng_shop PASSWORD 's3cret'");
            s.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON orders, customers TO eng_shop");
        }
        server = LockboxServer.start(serverConfig(ServerConfig.defaults().withPort(0).withDataDir(dataDir).withAdminToken(ADMIN)
                .withTickInterval(Duration.ofMillis(200))), Clock.systemUTC());
        aliceToken = call(ADMIN, "POST", "/api/users", new NewUser("alice", List.of(Role.APPROVER), "alice@example.com", null), 201)
                .get("token").asText();
        bobToken = call(ADMIN, "POST", "/api/users", new NewUser("bob", List.of(Role.ENGINEER), "bob@example.com", null), 201)
                .get("token").asText();
        // no DB_CLOSE_DELAY for the engineer: setting it needs admin rights; the admin connection keeps the database open
        call(ADMIN, "POST", "/api/environments", new EnvironmentSpec("shop", "Shop", h2Url.substring(0, h2Url.indexOf(';')), List.of("alice"), true,
                "eng_shop", "s3cret"), 201);
    }

    @AfterEach
    void tearDown() throws SQLException {
        if (server != null) {
            server.close();
        }
        try (Statement s = admin.createStatement()) {
            s.execute("SHUTDOWN");
        } catch (SQLException ignored) {
            // already gone
        }
        admin.close();
    }

    JsonNode call(String token, String method, String path, Object body, int expected) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(expected);
        return r.body().isEmpty() ? null : JSON.readTree(r.body());
    }

    String approvedRequest(AccessLevel level) throws Exception {
        JsonNode request = call(bobToken, "POST", "/api/requests", new NewAccessRequest("shop", "TICKET-42",
                "investigate the missing order", level, Duration.ofHours(1), null), 201);
        String id = request.get("id").asText();
        if (!"APPROVED".equals(request.get("status").asText())) {
            call(aliceToken, "POST", "/api/requests/" + id + "/approve", Map.of("comment", "ok"), 200);
        }
        return id;
    }

    String url(String query) {
        return "jdbc:lockbox://127.0.0.1:" + server.port() + "/shop" + (query == null ? "" : "?" + query);
    }

    Properties bob() {
        Properties p = new Properties();
        p.setProperty("user", "bob");
        p.setProperty("password", bobToken);
        return p;
    }

    List<JsonNode> audit(String requestId) throws Exception {
        List<JsonNode> events = new ArrayList<>();
        call(ADMIN, "GET", "/api/requests/" + requestId + "/audit", null, 200).forEach(events::add);
        return events;
    }

    @Test
    void noGrantIsRefusedWith28000AndTheServersReason() {
        assertThatThrownBy(() -> DriverManager.getConnection(url(null), bob()))
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28000"));
        Properties wrong = bob();
        wrong.setProperty("password", "not-a-token");
        assertThatThrownBy(() -> DriverManager.getConnection(url(null), wrong))
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28000"));
    }

    @Test
    void statementsAreAuditedAndSealedByTheServerAndRevocationEndsTheSession() throws Exception {
        String requestId = approvedRequest(AccessLevel.READ_WRITE);
        try (Connection c = DriverManager.getConnection(url("applicationName=it&grantCheckIntervalMs=100"), bob())) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT name FROM customers ORDER BY id")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("ada");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO orders(customer, amount) VALUES (?, ?)")) {
                ps.setString(1, "ada");
                ps.setInt(2, 42);
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            try (Statement s = c.createStatement()) {
                assertThatThrownBy(() -> s.execute("DROP TABLE customers"))
                        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"));
            }

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                List<JsonNode> events = audit(requestId);
                assertThat(events).extracting(e -> e.get("action").asText()).contains("CONNECT", "SELECT", "INSERT", "DROP TABLE");
                JsonNode insert = events.stream().filter(e -> e.get("action").asText().equals("INSERT")).findFirst().orElseThrow();
                assertThat(insert.get("succeeded").asBoolean()).isTrue();
                assertThat(insert.get("rowsAffected").asLong()).isEqualTo(1);
                assertThat(insert.get("parameters").asText()).isEqualTo("[\"ada\",42]");
                assertThat(insert.get("applicationName").asText()).isEqualTo("it");
                JsonNode drop = events.stream().filter(e -> e.get("action").asText().startsWith("DROP")).findFirst().orElseThrow();
                assertThat(drop.get("decision").asText()).isEqualTo("DENIED");
                assertThat(drop.get("denyReason").asText()).isNotBlank();
            });

            call(aliceToken, "POST", "/api/requests/" + requestId + "/revoke", Map.of("comment", "done"), 200);
            long revoked = System.nanoTime();
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10)).until(c::isClosed);
            assertThat(Duration.ofNanos(System.nanoTime() - revoked)).isLessThan(Duration.ofSeconds(1));
            assertThatThrownBy(() -> c.createStatement().executeQuery("SELECT 1"))
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28000"));
        }
        assertThatThrownBy(() -> DriverManager.getConnection(url(null), bob()))
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28000"));
        try (Statement s = admin.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM orders")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }
    }

    @Test
    void asyncStatementsShareAuditPostsAtTheRealServer() throws Exception {
        String requestId = approvedRequest(AccessLevel.READ_ONLY);
        int statements = 150;
        AuditPostCounter posts = AuditPostCounter.attach();
        try (Connection c = DriverManager.getConnection(url("audit=async&auditLingerMs=200"), bob());
             PreparedStatement ps = c.prepareStatement("SELECT name FROM customers WHERE id = ?")) {
            long posts0 = posts.count();
            long start = System.nanoTime();
            for (int i = 0; i < statements; i++) {
                ps.setInt(1, 1 + i % 2);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                }
                Thread.sleep(2); // an application's pace: without a linger, most events would leave alone
            }
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            LockboxConnection lockbox = c.unwrap(LockboxConnection.class);
            await().atMost(Duration.ofSeconds(30)).until(() -> lockbox.auditBacklog() == 0);
            long sent = posts.count() - posts0;
            // One POST per statement without a linger; with it, about one per 200 ms of statements
            // (+1 for a batch leaving as the last events were queued, +1 for an outcome-only flush).
            assertThat(sent).isBetween(1L, elapsedMs / 200 + 3);
        } finally {
            posts.detach();
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<JsonNode> selects = audit(requestId).stream().filter(e -> e.get("action").asText().equals("SELECT")).toList();
            assertThat(selects).hasSize(statements);
            assertThat(selects).allSatisfy(e -> assertThat(e.get("succeeded").asBoolean()).isTrue());
        });
    }
}

package dev.lockbox.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockbox.api.audit.ActionClass;
import dev.lockbox.api.audit.AuditAck;
import dev.lockbox.api.audit.AuditBatch;
import dev.lockbox.api.audit.AuditEventSubmission;
import dev.lockbox.api.audit.AuditOutcome;
import dev.lockbox.api.audit.EventIds;
import dev.lockbox.api.audit.Decision;
import dev.lockbox.api.grant.GrantStatus;
import dev.lockbox.api.grant.SessionGrant;
import dev.lockbox.api.grant.SessionOpen;
import dev.lockbox.api.request.RequestStatus;
import dev.lockbox.driver.server.HttpLockboxServerClient;
import dev.lockbox.driver.testing.LockboxFixture;
import dev.lockbox.driver.testing.LoopbackHttpServer;
import dev.lockbox.driver.testing.LoopbackHttpServer.Canned;
import java.net.ServerSocket;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The HTTP client against a JDK HttpServer on 127.0.0.1: refusals map to 28000 with the server's
 * message, anything else unexpected to 08001 at connect (08006 afterwards), and the registered
 * driver works end to end through DriverManager over HTTP.
 */
class HttpLockboxServerClientTest {
    private LockboxFixture fx;
    private LoopbackHttpServer http;

    @BeforeEach
    void setUp() throws Exception {
        fx = new LockboxFixture();
        fx.server.accessExpiresAt = java.time.Instant.now().plus(Duration.ofHours(1));
        http = new LoopbackHttpServer(fx.server, "token-alice");
    }

    @AfterEach
    void tearDown() throws SQLException {
        http.close();
        fx.close();
    }

    private HttpLockboxServerClient client(int port, long timeoutMs) {
        return new HttpLockboxServerClient(URI.create("http://127.0.0.1:" + port), "token-alice",
                Duration.ofMillis(timeoutMs));
    }

    private static SessionOpen open() {
        return new SessionOpen("shop", "s-1", "host", "test", "0");
    }

    @Test
    void sessionsStatusAndAuditOverHttp() throws SQLException {
        HttpLockboxServerClient c = client(http.port(), 5000);
        SessionGrant g = c.openSession(open());
        assertThat(g.grant().requestId()).isEqualTo(fx.server.requestId);
        assertThat(g.target().jdbcUrl()).isEqualTo(fx.h2Url);
        GrantStatus s = c.grantStatus(fx.server.requestId);
        assertThat(s.active()).isTrue();
        assertThat(c.submitAudit(new AuditBatch("shop", List.of(), List.of())).stored()).isZero();
        c.closeSession("s-1");
        assertThat(fx.server.closedSessions).containsExactly("s-1");
        assertThat(http.authorizations).allMatch("Bearer token-alice"::equals);
    }

    @Test
    void aBatchOverTheServersLimitIsSentInPartsOutcomesNeverBeforeTheirEvents() throws Exception {
        HttpLockboxServerClient c = client(http.port(), 5000);
        String params = "[\"" + "x".repeat(30_000) + "\"]";
        List<AuditEventSubmission> events = new java.util.ArrayList<>();
        List<AuditOutcome> outcomes = new java.util.ArrayList<>();
        outcomes.add(new AuditOutcome(EventIds.next(), true, 1L, null, 0.1)); // of an event sent earlier
        for (int i = 0; i < 80; i++) {
            AuditEventSubmission e = new AuditEventSubmission(EventIds.next(), java.time.Instant.now(), fx.server.requestId,
                    "db", "sa", "s-1", "host", "test", "INSERT", ActionClass.WRITE, List.of("t"), "INSERT INTO t VALUES (?)",
                    params, Decision.ALLOWED, null);
            events.add(e);
            if (i % 3 == 0) outcomes.add(new AuditOutcome(e.eventId(), true, 1L, null, 0.1));
        }
        AuditBatch batch = new AuditBatch("shop", events, outcomes);
        com.fasterxml.jackson.databind.ObjectMapper json = dev.lockbox.api.LockboxJson.newMapper();
        assertThat(json.writeValueAsBytes(batch).length).isGreaterThan(2 * AuditBatch.MAX_BYTES);

        AuditAck ack = c.submitAudit(batch);

        assertThat(ack).isEqualTo(new AuditAck(80, 0, outcomes.size()));
        List<AuditBatch> sent = fx.server.batches;
        assertThat(sent).hasSizeGreaterThan(2);
        assertThat(sent).allSatisfy(b -> assertThat(json.writeValueAsBytes(b).length).isLessThanOrEqualTo(AuditBatch.MAX_BYTES));
        assertThat(sent.stream().flatMap(b -> b.events().stream()).toList()).isEqualTo(events);
        assertThat(sent.stream().flatMap(b -> b.outcomes().stream()).toList()).containsExactlyInAnyOrderElementsOf(outcomes);
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (AuditBatch b : sent) {
            b.events().forEach(e -> seen.add(e.eventId()));
            for (AuditOutcome o : b.outcomes()) {
                if (!o.eventId().equals(outcomes.get(0).eventId())) {
                    assertThat(seen).as("an outcome sent with or after its event").contains(o.eventId());
                }
            }
        }
    }

    @Test
    void aSingleEventOverTheLimitIsSentWholeForTheServerToRefuse() throws Exception {
        HttpLockboxServerClient c = client(http.port(), 5000);
        AuditEventSubmission e = new AuditEventSubmission(EventIds.next(), java.time.Instant.now(), fx.server.requestId,
                "db", "sa", "s-1", "host", "test", "SELECT", ActionClass.READ, List.of("t"),
                "SELECT '" + "y".repeat(AuditBatch.MAX_BYTES) + "'", null, Decision.ALLOWED, null);
        c.submitAudit(new AuditBatch("shop", List.of(e), List.of(new AuditOutcome(e.eventId(), true, 1L, null, 0.1))));
        assertThat(fx.server.batches).hasSize(1);
    }

    @Test
    void requestsReuseOneKeptAliveConnectionEvenAfterErrors() throws SQLException {
        HttpLockboxServerClient c = client(http.port(), 5000);
        c.openSession(open());
        for (int i = 0; i < 20; i++) {
            c.grantStatus(fx.server.requestId);
            c.submitAudit(new AuditBatch("shop", List.of(), List.of()));
        }
        http.canned.put("/api/audit/events", new Canned(500, "{\"error\":\"store\",\"message\":\"disk full\"}", 0));
        assertThatThrownBy(() -> c.submitAudit(new AuditBatch("shop", List.of(), List.of())))
                .hasMessageContaining("disk full");
        c.grantStatus(fx.server.requestId);
        // one TCP connection for all 43 requests: no connect per statement, error bodies drained
        assertThat(http.clientPorts).hasSize(43).containsOnly(http.clientPorts.get(0));
    }

    @Test
    void refusalCarriesTheServersMessage() {
        http.canned.put("/api/sessions", new Canned(404,
                "{\"error\":\"request_pending\",\"message\":\"Your request R-7 is waiting for an approver until 2026-11-30T10:00:00Z; ask one of: bob.\"}", 0));
        assertThatThrownBy(() -> client(http.port(), 5000).openSession(open()))
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28000"))
                .hasMessageContaining("waiting for an approver until 2026-11-30T10:00:00Z")
                .hasMessageContaining("request_pending");
    }

    @Test
    void badTokenIs28000() {
        HttpLockboxServerClient wrongToken = new HttpLockboxServerClient(URI.create("http://127.0.0.1:" + http.port()),
                "nope", Duration.ofSeconds(5));
        assertThatThrownBy(() -> wrongToken.openSession(open()))
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28000"))
                .hasMessageContaining("did not accept the user name and API token");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "500 | {\"error\":\"internal\",\"message\":\"boom\"} | HTTP 500",
        "201 | <html>hello</html>                        | not a session grant",
        "201 | {\"sessionId\":\"x\"}                    | incomplete session grant",
        "201 | {\"sessionId\":\"x\",\"grant\":null,\"target\":null,\"extra\":1} | not a session grant",
        "200 | {}                                        | HTTP 200",
        "302 |                                           | HTTP 302",
        "403 | not json                                  | HTTP 403",
    })
    void unexpectedAnswersAtConnectAre08001(int status, String body, String message) {
        http.canned.put("/api/sessions", new Canned(status, body == null ? "" : body, 0));
        assertThatThrownBy(() -> client(http.port(), 5000).openSession(open()))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo(status == 403 ? "28000" : "08001"));
    }

    @Test
    void refusedPortIs08001() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assertThatThrownBy(() -> client(port, 5000).openSession(open()))
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08001"))
                .hasMessageContaining("Cannot reach the Lockbox approval server");
    }

    @Test
    void silentServerIs08001AfterTheTimeout() {
        http.canned.put("/api/sessions", new Canned(201, "{}", 3000));
        assertThatThrownBy(() -> client(http.port(), 200).openSession(open()))
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08001"))
                .hasMessageContaining("did not answer");
    }

    @Test
    void auditAndStatusFailuresAfterConnectAre08006() {
        http.canned.put("/api/audit/events", new Canned(500, "{\"error\":\"store\",\"message\":\"disk full\"}", 0));
        http.canned.put("/api/grants/", new Canned(200, "{\"requestId\":\"other\",\"status\":\"APPROVED\",\"active\":true,"
                + "\"accessExpiresAt\":null,\"serverTime\":null}", 0));
        HttpLockboxServerClient c = client(http.port(), 5000);
        assertThatThrownBy(() -> c.submitAudit(new AuditBatch("shop", List.of(), List.of())))
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08006"))
                .hasMessageContaining("disk full");
        assertThatThrownBy(() -> c.grantStatus(fx.server.requestId))
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08006"))
                .hasMessageContaining("another grant");
    }

    @Test
    void oversizedAnswerIsRefused() {
        http.canned.put("/api/sessions", new Canned(201, "x".repeat(2 << 20), 0));
        assertThatThrownBy(() -> client(http.port(), 5000).openSession(open()))
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08001"))
                .hasMessageContaining("more than");
    }

    private Properties login() {
        Properties p = new Properties();
        p.setProperty("user", "alice");
        p.setProperty("password", "token-alice");
        return p;
    }

    @Test
    void registeredDriverEndToEndOverLoopbackHttp() throws Exception {
        String url = "jdbc:lockbox://127.0.0.1:" + http.port() + "/shop?applicationName=it&grantCheckIntervalMs=50";
        try (Connection c = DriverManager.getConnection(url, login()); Statement s = c.createStatement()) {
            assertThat(s.executeUpdate("INSERT INTO orders(customer, amount) VALUES ('http', 5)")).isEqualTo(1);
            try (ResultSet rs = s.executeQuery("SELECT amount FROM orders WHERE customer = 'http'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(5);
            }
            fx.server.status = RequestStatus.REVOKED;
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(1)).until(c::isClosed);
            assertThatThrownBy(() -> s.executeQuery("SELECT 1"))
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28000"));
        }
        assertThat(fx.server.events(Decision.ALLOWED)).extracting(e -> e.applicationName()).containsOnly("it");
        assertThat(fx.server.events(Decision.ALLOWED)).hasSize(2);
    }

    @Test
    void hikariConfiguredByClassNameAndPropertiesUsesTheRegisteredDriver() throws Exception {
        com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
        config.setDataSourceClassName(LockboxDataSource.class.getName());
        config.addDataSourceProperty("url", "jdbc:lockbox://127.0.0.1:" + http.port() + "/shop");
        config.addDataSourceProperty("user", "alice");
        config.addDataSourceProperty("password", "token-alice");
        config.addDataSourceProperty("audit", "async");
        config.addDataSourceProperty("applicationName", "pooled");
        config.addDataSourceProperty("grantCheckIntervalMs", "100");
        config.setMaximumPoolSize(2);
        try (com.zaxxer.hikari.HikariDataSource pool = new com.zaxxer.hikari.HikariDataSource(config);
             Connection c = pool.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM customers")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(2);
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !fx.server.events().isEmpty());
        assertThat(fx.server.events()).allMatch(e -> "pooled".equals(e.applicationName()));
    }

    @Test
    void driverManagerRefusalsAreClear() {
        fx.server.refuseSessions = SqlState.NO_GRANT.exception("You have no approved request for environment shop; "
                + "file one with: lockbox request --environment shop");
        String url = "jdbc:lockbox://127.0.0.1:" + http.port() + "/shop";
        assertThatThrownBy(() -> DriverManager.getConnection(url, login()))
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28000"))
                .hasMessageContaining("file one with: lockbox request");
        http.close();
        assertThatThrownBy(() -> DriverManager.getConnection(url, login()))
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08001"));
    }
}

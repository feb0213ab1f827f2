package dev.lockbox.server.audit;

import static dev.lockbox.server.audit.AuditPostBodies.approved;
import static dev.lockbox.server.audit.AuditPostBodies.event;
import static dev.lockbox.server.audit.AuditPostBodies.json;
import static dev.lockbox.server.audit.AuditPostBodies.sealedBatch;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.lockbox.api.admin.Role;
import dev.lockbox.api.audit.AuditBatch;
import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.audit.AuditEventPage;
import dev.lockbox.api.audit.AuditEventSubmission;
import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.server.testing.ApiClient.Response;
import dev.lockbox.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * {@link AuditPostHandler}: an audit POST whose caller's token is cached is answered in front of
 * Javalin with exactly what Javalin would have answered, acknowledgement or refusal, and stores
 * the same; everything it cannot judge alone takes the full path. On the real audit log
 * ({@code JdbcAuditLog}), so the refusals are the log's own.
 */
class AuditPostHandlerTest {
    private static final String PATH = "/api/audit/events";

    @TempDir
    Path dir;

    @Test
    void everyAnswerInFrontIsTheOneJavalinGivesForTheSameBody() {
        try (TestServer s = TestServer.withJdbcAuditLog(dir).withCast()) {
            String bob = s.token("bob");
            AccessRequest mine = approved(s, "bob");
            AccessRequest carols = approved(s, "carol");
            AuditEventSubmission stored = event(s, mine.id(), "SELECT 1");
            s.api.post(bob, PATH, new AuditBatch(TestServer.ENV, List.of(stored), List.of())).expect(200);

            // Each body is sent twice, through Javalin (no token cached) and then in front of it.
            Map<String, Supplier<String>> bodies = AuditPostBodies.forParity(s, mine, carols, stored);

            Map<String, Integer> statuses = new TreeMap<>();
            bodies.forEach((what, body) -> {
                forgetTokens(s);
                long inFront = s.server.auditPostsInFront();
                Response full = post(s, bob, body.get());
                assertThat(s.server.auditPostsInFront()).as("%s: through Javalin", what).isEqualTo(inFront);
                Response front = post(s, bob, body.get());
                assertThat(s.server.auditPostsInFront()).as("%s: in front", what).isEqualTo(inFront + 1);

                assertThat(front.status()).as(what).isEqualTo(full.status());
                assertThat(front.body()).as(what).isEqualTo(full.body());
                assertThat(headersButDate(front)).as(what).isEqualTo(headersButDate(full))
                        .containsKeys("content-type", "content-length");
                statuses.put(what, front.status());
            });
            assertThat(statuses).containsAllEntriesOf(AuditPostBodies.EXPECTED_STATUSES);
            assertThat(post(s, bob, json(new AuditBatch(TestServer.ENV, List.of(stored), List.of()))).body())
                    .isEqualTo("{\"stored\":0,\"duplicates\":1,\"outcomesApplied\":0}");

            // Both sealed events of "a new event with its outcome" are in the log, and nothing refused is.
            AuditEventPage page = s.api.get(s.token("dave"), PATH + "?environment=" + TestServer.ENV).expect(200)
                    .as(AuditEventPage.class);
            assertThat(page.events()).extracting(AuditEvent::statement).containsExactly("UPDATE t SET x = 1", "UPDATE t SET x = 1");
            assertThat(page.events()).allSatisfy(e -> assertThat(e.engineer()).isEqualTo("bob"));
        }
    }

    @Test
    void aStoreFailureIsTheSame500BothWaysAndStoresNothing() throws Exception {
        try (TestServer s = TestServer.withJdbcAuditLog(dir).withCast()) {
            String bob = s.token("bob");
            AccessRequest mine = approved(s, "bob");
            try (Connection c = DriverManager.getConnection(s.config.effectiveStoreUrl(), s.config.storeUser(),
                    s.config.storePassword()); Statement st = c.createStatement()) {
                st.execute("DROP TABLE audit_event CASCADE"); // every statement on it fails from now on, however prepared
            }
            forgetTokens(s);
            long inFront = s.server.auditPostsInFront();
            Response full = post(s, bob, json(sealedBatch(s, mine.id())));
            Response front = post(s, bob, json(sealedBatch(s, mine.id())));
            assertThat(s.server.auditPostsInFront()).isEqualTo(inFront + 1);
            assertThat(front.status()).isEqualTo(full.status()).isEqualTo(500);
            assertThat(front.body()).isEqualTo(full.body())
                    .isEqualTo("{\"error\":\"internal\",\"message\":\"the server could not complete the call; see its log\"}");
            assertThat(headersButDate(front)).isEqualTo(headersButDate(full));
        }
    }

    @Test
    void whatItCannotJudgeAloneTakesTheFullPath() {
        try (TestServer s = TestServer.withJdbcAuditLog(dir).withCast()) {
            String bob = s.token("bob");
            AccessRequest mine = approved(s, "bob");
            s.api.get(TestServer.ADMIN_TOKEN, "/api/users").expect(200); // the admin's token is cached now
            s.api.get(s.token("dave"), PATH + "?environment=" + TestServer.ENV).expect(200); // and the auditor's
            long inFront = s.server.auditPostsInFront();
            byte[] big = ("{\"environment\":\"prod-db\",\"events\":[],\"outcomes\":[],\"pad\":\"" + "x".repeat(1 << 20) + "\"}")
                    .getBytes(StandardCharsets.UTF_8);

            Map<String, Supplier<Response>> fullPath = new TreeMap<>(Map.of(
                    "no token", () -> post(s, null, json(sealedBatch(s, mine.id()))).expect(401),
                    "unknown token", () -> post(s, "lbx_not-a-token", json(sealedBatch(s, mine.id()))).expect(401),
                    "cached admin without the engineer role", () -> post(s, TestServer.ADMIN_TOKEN, json(sealedBatch(s, mine.id()))).expect(403),
                    "cached auditor", () -> post(s, s.token("dave"), json(sealedBatch(s, mine.id()))).expect(403),
                    "a chunked body (no length)", () -> s.api.sendChunked("POST", bob,
                            PATH, json(sealedBatch(s, mine.id())).getBytes(StandardCharsets.UTF_8)).expect(200),
                    "a body over the limit", () -> s.api.sendBytes("POST", bob, PATH, big).expect(413),
                    "another method on the path", () -> s.api.get(bob, PATH + "?environment=" + TestServer.ENV).expect(403),
                    "another path", () -> s.api.post(bob, PATH + "/x", json(sealedBatch(s, mine.id()))).expect(404)));
            fullPath.forEach((what, call) -> {
                s.api.get(bob, "/api/requests").expect(200); // bob's token stays cached
                call.get();
                assertThat(s.server.auditPostsInFront()).as(what).isEqualTo(inFront);
            });

            post(s, bob, json(sealedBatch(s, mine.id()))).expect(200);
            assertThat(s.server.auditPostsInFront()).isEqualTo(inFront + 1);
        }
    }

    @Test
    void aPostAnsweredInFrontLeavesTheSameAccessLogLine() {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        Logger access = (Logger) LoggerFactory.getLogger("dev.lockbox.server.access");
        log.start();
        access.addAppender(log);
        try (TestServer s = TestServer.withJdbcAuditLog(dir).withCast()) {
            String bob = s.token("bob");
            AccessRequest mine = approved(s, "bob");
            forgetTokens(s);
            log.list.clear();
            post(s, bob, json(sealedBatch(s, mine.id()))).expect(200);
            post(s, bob, json(sealedBatch(s, mine.id()))).expect(200);
            post(s, bob, "{").expect(400);
            assertThat(s.server.auditPostsInFront()).isEqualTo(2);
            List<String> lines = log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
            assertThat(lines).hasSize(3);
            assertThat(lines.subList(0, 2)).allSatisfy(line -> assertThat(line).matches("POST /api/audit/events 200 \\d+\\.\\dms user=bob"));
            assertThat(lines.get(2)).matches("POST /api/audit/events 400 \\d+\\.\\dms user=bob");
        } finally {
            access.detachAppender(log);
        }
    }

    private static Response post(TestServer s, String token, String body) {
        return s.api.sendBytes("POST", token, PATH, body.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Empties the server's token cache (a token rotation does, whoever's): the next call of each token
     * takes the full path.
     */
    private static void forgetTokens(TestServer s) {
        if (!s.tokens.containsKey("rotated")) s.user("rotated", List.of(Role.AUDITOR), null);
        s.api.post(TestServer.ADMIN_TOKEN, "/api/users/rotated/tokens", null).expect(201);
    }

    private static Map<String, List<String>> headersButDate(Response r) {
        Map<String, List<String>> h = new TreeMap<>(r.headers().map());
        h.remove("date");
        return h;
    }
}

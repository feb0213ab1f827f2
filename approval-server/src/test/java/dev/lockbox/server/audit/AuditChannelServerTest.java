package dev.lockbox.server.audit;

import static dev.lockbox.server.audit.AuditPostBodies.approved;
import static dev.lockbox.server.audit.AuditPostBodies.event;
import static dev.lockbox.server.audit.AuditPostBodies.json;
import static dev.lockbox.server.audit.AuditPostBodies.sealedBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.lockbox.api.audit.AuditBatch;
import dev.lockbox.api.audit.AuditChannelFrames;
import dev.lockbox.api.audit.AuditChannelHello;
import dev.lockbox.api.audit.AuditChannelReply;
import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.audit.AuditEventPage;
import dev.lockbox.api.audit.AuditEventSubmission;
import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.server.http.Authenticator;
import dev.lockbox.server.http.JsonBody;
import dev.lockbox.server.store.Store;
import dev.lockbox.server.testing.ApiClient;
import dev.lockbox.server.testing.ApiClient.Response;
import dev.lockbox.server.testing.TestServer;
import dev.lockbox.server.user.UserStore;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * {@link AuditChannelServer}: a batch on the audit channel gets the answer {@code POST
 * /api/audit/events} gives the same body (status, acknowledgement, refusal, access line) and stores
 * the same, on the real audit log; a connection whose token or role does not hold, that announces
 * an over-long frame, stays silent, or is one too many is answered and closed.
 */
class AuditChannelServerTest {
    private static final String PATH = "/api/audit/events";

    @TempDir
    Path dir;

    @Test
    void everyBatchOnTheChannelGetsTheAnswerOfTheHttpRoute() throws IOException {
        try (TestServer s = TestServer.withJdbcAuditLog(dir, true).withCast()) {
            String bob = s.token("bob");
            AccessRequest mine = approved(s, "bob");
            AccessRequest carols = approved(s, "carol");
            AuditEventSubmission stored = event(s, mine.id(), "SELECT 1");
            s.api.post(bob, PATH, new AuditBatch(TestServer.ENV, List.of(stored), List.of())).expect(200);

            Map<String, Integer> statuses = new TreeMap<>();
            try (Channel channel = Channel.open(s, bob)) {
                assertThat(channel.hello.status()).isEqualTo(200);
                for (Map.Entry<String, Supplier<String>> body : AuditPostBodies.forParity(s, mine, carols, stored).entrySet()) {
                    String what = body.getKey();
                    Response http = post(s, bob, body.getValue().get());
                    long before = s.server.auditChannelBatches();
                    AuditChannelReply reply = channel.send(body.getValue().get());
                    assertThat(s.server.auditChannelBatches()).as(what).isEqualTo(before + 1);
                    assertThat(reply.status()).as(what).isEqualTo(http.status());
                    assertThat(json(reply.status() == 200 ? reply.ack() : reply.error())).as(what).isEqualTo(http.body());
                    assertThat(reply.status() == 200 ? reply.error() : reply.ack()).as(what).isNull();
                    statuses.put(what, reply.status());
                }
                // A refused batch leaves the connection open: the next one is stored.
                assertThat(channel.send(json(sealedBatch(s, mine.id()))).status()).isEqualTo(200);
            }
            assertThat(statuses).containsAllEntriesOf(AuditPostBodies.EXPECTED_STATUSES);

            // Sealed: the new event of each way, and the one after the refusals; nothing refused is stored.
            AuditEventPage page = s.api.get(s.token("dave"), PATH + "?environment=" + TestServer.ENV).expect(200)
                    .as(AuditEventPage.class);
            assertThat(page.events()).extracting(AuditEvent::statement).containsExactly(
                    "UPDATE t SET x = 1", "UPDATE t SET x = 1", "UPDATE t SET x = 1");
            assertThat(page.events()).allSatisfy(e -> assertThat(e.engineer()).isEqualTo("bob"));
        }
    }

    @Test
    void aHelloWithoutAValidEngineerTokenIsRefusedAndTheConnectionClosed() throws IOException {
        try (TestServer s = TestServer.withJdbcAuditLog(dir, true).withCast()) {
            s.token("bob");
            Map<String, String> hellos = new TreeMap<>(Map.of(
                    "no token", "{}",
                    "an empty token", "{\"token\":\"\"}",
                    "an unknown token", json(new AuditChannelHello("lbx_not-a-token")),
                    "an over-long token", json(new AuditChannelHello("x".repeat(600))),
                    "the admin (no engineer role)", json(new AuditChannelHello(TestServer.ADMIN_TOKEN)),
                    "an auditor", json(new AuditChannelHello(s.token("dave"))),
                    "an unknown field", "{\"token\":\"" + s.token("bob") + "\",\"extra\":1}",
                    "not JSON", "hello"));
            Map<String, Integer> statuses = new TreeMap<>();
            for (Map.Entry<String, String> hello : hellos.entrySet()) {
                try (Channel c = Channel.raw(s)) {
                    AuditChannelReply reply = c.exchange(hello.getValue());
                    assertThat(reply.error()).as(hello.getKey()).isNotNull();
                    assertThat(c.closedByServer()).as(hello.getKey()).isTrue();
                    statuses.put(hello.getKey(), reply.status());
                }
            }
            assertThat(statuses).isEqualTo(new TreeMap<>(Map.of("no token", 401, "an empty token", 401,
                    "an unknown token", 401, "an over-long token", 401, "the admin (no engineer role)", 403,
                    "an auditor", 403, "an unknown field", 400, "not JSON", 400)));
            assertThat(s.server.auditChannelBatches()).isZero();
        }
    }

    @Test
    void aTokenRotatedOrAUserDisabledRefusesTheNextBatchAndClosesTheConnection() throws IOException {
        try (TestServer s = TestServer.withJdbcAuditLog(dir, true).withCast()) {
            String bob = s.token("bob");
            String carol = s.token("carol");
            AccessRequest bobs = approved(s, "bob");
            AccessRequest carols = approved(s, "carol");
            try (Channel b = Channel.open(s, bob); Channel c = Channel.open(s, carol)) {
                assertThat(b.send(json(sealedBatch(s, bobs.id()))).status()).isEqualTo(200);
                assertThat(c.send(json(sealedBatch(s, carols.id()))).status()).isEqualTo(200);

                s.api.post(TestServer.ADMIN_TOKEN, "/api/users/bob/tokens", null).expect(201); // bob's token rotated
                AuditChannelReply rotated = b.send(json(sealedBatch(s, bobs.id())));
                assertThat(rotated.status()).isEqualTo(401);
                assertThat(rotated.error().error()).isEqualTo("unauthenticated");
                assertThat(b.closedByServer()).isTrue();

                s.api.delete(TestServer.ADMIN_TOKEN, "/api/users/carol").expect(204); // carol disabled
                AuditChannelReply disabled = c.send(json(sealedBatch(s, carols.id())));
                assertThat(disabled.status()).isEqualTo(401);
                assertThat(c.closedByServer()).isTrue();
            }
            AuditEventPage page = s.api.get(s.token("dave"), PATH + "?environment=" + TestServer.ENV).expect(200)
                    .as(AuditEventPage.class);
            assertThat(page.events()).extracting(AuditEvent::engineer).containsExactlyInAnyOrder("bob", "carol");
        }
    }

    @Test
    void aStoreFailureIsTheRoutes500AndAStoreThatCannotCheckTheHelloClosesTheConnection() throws Exception {
        try (TestServer s = TestServer.withJdbcAuditLog(dir, true).withCast()) {
            String bob = s.token("bob");
            AccessRequest mine = approved(s, "bob");
            try (Channel c = Channel.open(s, bob)) {
                try (java.sql.Connection db = java.sql.DriverManager.getConnection(s.config.effectiveStoreUrl(),
                        s.config.storeUser(), s.config.storePassword()); java.sql.Statement st = db.createStatement()) {
                    st.execute("DROP TABLE audit_event CASCADE"); // every ingest fails from now on
                }
                String body = json(sealedBatch(s, mine.id()));
                Response http = post(s, bob, body);
                AuditChannelReply reply = c.send(body);
                assertThat(reply.status()).isEqualTo(http.status()).isEqualTo(500);
                assertThat(json(reply.error())).isEqualTo(http.body());
                assertThat(c.send("{").status()).as("the connection stays open").isEqualTo(400);
            }

            Store store = Store.open(s.config.effectiveStoreUrl(), s.config.storeUser(), s.config.storePassword());
            try (AuditChannelServer channel = AuditChannelServer.start("127.0.0.1", 0, new Authenticator(new UserStore(store)),
                    new dev.lockbox.server.testing.RecordingAuditLog(), JsonBody.strictMapper())) {
                store.close(); // the token is not cached: checking it needs the store
                try (Channel c = Channel.raw(channel.port())) {
                    AuditChannelReply reply = c.exchange(json(new AuditChannelHello(bob)));
                    assertThat(reply.status()).isEqualTo(500);
                    assertThat(reply.error().error()).isEqualTo("internal");
                    assertThat(c.closedByServer()).isTrue();
                }
            }
        }
    }

    @Test
    void anOverLongFrameIsRefusedWith413AndTheConnectionClosed() throws IOException {
        try (TestServer s = TestServer.withJdbcAuditLog(dir, true).withCast();
             Channel c = Channel.open(s, s.token("bob"))) {
            c.out.writeInt(AuditChannelFrames.MAX_FRAME + 1);
            c.out.flush();
            AuditChannelReply reply = c.reply();
            assertThat(reply.status()).isEqualTo(413);
            assertThat(reply.error().error()).isEqualTo("too_large");
            assertThat(c.closedByServer()).isTrue();
            assertThat(s.server.auditChannelBatches()).isZero();
        }
    }

    @Test
    void eachBatchLeavesTheAccessLineOfTheRouteWithMethodChannel() throws IOException {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        Logger access = (Logger) LoggerFactory.getLogger("dev.lockbox.server.access");
        log.start();
        access.addAppender(log);
        try (TestServer s = TestServer.withJdbcAuditLog(dir, true).withCast()) {
            String bob = s.token("bob");
            AccessRequest mine = approved(s, "bob");
            try (Channel c = Channel.open(s, bob)) {
                log.list.clear();
                c.send(json(sealedBatch(s, mine.id())));
                c.send("{");
            }
            List<String> lines = log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
            assertThat(lines).hasSize(2);
            assertThat(lines.get(0)).matches("CHANNEL /api/audit/events 200 \\d+\\.\\dms user=bob");
            assertThat(lines.get(1)).matches("CHANNEL /api/audit/events 400 \\d+\\.\\dms user=bob");
            assertThat(String.join("\n", lines)).doesNotContain(bob);
        } finally {
            access.detachAppender(log);
        }
    }

    @Test
    void slowSilentOrOneTooManyConnectionsAreClosed() throws Exception {
        try (TestServer s = TestServer.withJdbcAuditLog(dir, true).withCast();
             Store store = Store.open(s.config.effectiveStoreUrl(), s.config.storeUser(), s.config.storePassword());
             AuditChannelServer channel = AuditChannelServer.start("127.0.0.1", 0, new Authenticator(new UserStore(store)),
                     new dev.lockbox.server.testing.RecordingAuditLog(), JsonBody.strictMapper(), 1, 300, 300)) {
            String bob = s.token("bob");
            try (Channel silent = Channel.raw(channel.port())) {
                assertThat(silent.closedByServer()).as("no hello within the hello timeout").isTrue();
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> channel.openConnections() == 0);
            try (Channel trickle = Channel.raw(channel.port())) {
                // A byte every 100 ms keeps each read under the 300 ms socket timeout: only the hello's
                // deadline, 300 ms in all, cuts it off while it is still trickling.
                trickle.out.writeInt(40);
                try {
                    for (int i = 0; i < 10; i++) {
                        trickle.out.write(' ');
                        trickle.out.flush();
                        Thread.sleep(100);
                    }
                } catch (IOException closedUnderUs) {
                    // the server closed the connection meanwhile
                }
                trickle.socket.setSoTimeout(100);
                assertThat(trickle.closedByServer()).as("a hello not complete within the hello deadline").isTrue();
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> channel.openConnections() == 0); // the limit is 1
            try (Channel bigHello = Channel.raw(channel.port())) {
                bigHello.out.writeInt(AuditChannelServer.MAX_HELLO + 1);
                bigHello.out.flush();
                assertThat(bigHello.reply().status()).isEqualTo(413);
                assertThat(bigHello.closedByServer()).isTrue();
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> channel.openConnections() == 0);
            try (Channel first = Channel.raw(channel.port())) {
                assertThat(first.exchange(json(new AuditChannelHello(bob))).status()).isEqualTo(200);
                try (Channel second = Channel.raw(channel.port())) {
                    AuditChannelReply refused = second.reply();
                    assertThat(refused.status()).isEqualTo(503);
                    assertThat(second.closedByServer()).isTrue();
                }
                assertThat(first.closedByServer()).as("idle longer than the idle timeout").isTrue();
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> channel.openConnections() == 0);
        }
    }

    private static Response post(TestServer s, String token, String body) {
        return s.api.sendBytes("POST", token, PATH, body.getBytes(StandardCharsets.UTF_8));
    }

    /** A client connection to the audit channel, speaking the frames by hand. */
    private static final class Channel implements AutoCloseable {
        final Socket socket;
        final DataInputStream in;
        final DataOutputStream out;
        AuditChannelReply hello;

        private Channel(int port) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(10_000);
            in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            out = new DataOutputStream(socket.getOutputStream());
        }

        static Channel raw(TestServer s) throws IOException {
            return new Channel(s.server.auditChannelPort());
        }

        static Channel raw(int port) throws IOException {
            return new Channel(port);
        }

        static Channel open(TestServer s, String token) throws IOException {
            Channel c = raw(s);
            c.hello = c.exchange(json(new AuditChannelHello(token)));
            return c;
        }

        AuditChannelReply send(String body) throws IOException {
            return exchange(body);
        }

        AuditChannelReply exchange(String frame) throws IOException {
            AuditChannelFrames.write(out, frame.getBytes(StandardCharsets.UTF_8));
            return reply();
        }

        AuditChannelReply reply() throws IOException {
            byte[] frame = AuditChannelFrames.read(in, AuditChannelFrames.MAX_FRAME);
            assertThat(frame).as("a reply frame").isNotNull();
            return ApiClient.JSON.readValue(frame, AuditChannelReply.class);
        }

        /** Whether the server closed the connection (end of stream within the read timeout). */
        boolean closedByServer() throws IOException {
            try {
                return in.read() < 0;
            } catch (java.net.SocketException reset) {
                return true;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}

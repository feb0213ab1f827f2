package dev.lockbox.server.grant;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.lockbox.api.grant.ActiveGrant;
import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.server.testing.ApiClient;
import dev.lockbox.server.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * {@link CachedGrantHandler}: a grant lookup whose token and grant are cached is answered in
 * front of Javalin, with exactly what Javalin would have answered; every other request takes the
 * full path, and none of them waits for another.
 */
class CachedGrantHandlerTest {
    private static final String ACTIVE = "/api/grants/active?environment=" + TestServer.ENV;

    @TempDir
    Path dir;

    @Test
    void aCachedLookupIsAnsweredInFrontOfJavalinWithTheSameStatusHeadersBytesAndLogLine() throws Exception {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        Logger access = (Logger) LoggerFactory.getLogger("dev.lockbox.server.access");
        log.start();
        access.addAppender(log);
        try (TestServer s = new TestServer(dir).withCast()) {
            AccessRequest r = s.request("bob", TestServer.ENV);
            s.decide("alice", r.id(), "approve");
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest get = HttpRequest.newBuilder(URI.create(s.server.baseUrl() + ACTIVE))
                    .header("Authorization", "Bearer " + s.token("bob")).build();
            log.list.clear();

            HttpResponse<byte[]> full = http.send(get, HttpResponse.BodyHandlers.ofByteArray()); // fills the grant cache
            assertThat(s.server.grantLookupsFromCache()).isZero();
            HttpResponse<byte[]> cached = http.send(get, HttpResponse.BodyHandlers.ofByteArray());
            assertThat(s.server.grantLookupsFromCache()).isEqualTo(1);

            assertThat(cached.statusCode()).isEqualTo(full.statusCode()).isEqualTo(200);
            assertThat(cached.body()).isEqualTo(full.body());
            assertThat(ApiClient.JSON.readValue(cached.body(), ActiveGrant.class).requestId()).isEqualTo(r.id());
            assertThat(headersButDate(cached)).isEqualTo(headersButDate(full)).containsKeys("content-type", "content-length");
            List<String> lines = log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
            assertThat(lines).hasSize(2).allSatisfy(line -> assertThat(line).matches("GET /api/grants/active 200 \\d+\\.\\dms user=bob"));
        } finally {
            access.detachAppender(log);
        }
    }

    @Test
    void everyOtherRequestTakesTheFullPathAndGetsItsAnswer() {
        try (TestServer s = new TestServer(dir).withCast()) {
            AccessRequest r = s.request("bob", TestServer.ENV);
            s.decide("alice", r.id(), "approve");
            String bob = s.token("bob");
            s.api.get(s.token("alice"), ACTIVE).expect(403); // alice's token is cached now
            s.api.get(bob, ACTIVE).expect(200);
            s.api.get(bob, ACTIVE).expect(200);
            assertThat(s.server.grantLookupsFromCache()).isEqualTo(1);

            Map<String, Supplier<ApiClient.Response>> fullPath = new TreeMap<>(Map.of(
                    "no token", () -> s.api.get(null, ACTIVE).expect(401),
                    "unknown token", () -> s.api.get("lbx_not-a-token", ACTIVE).expect(401),
                    "cached token without the engineer role", () -> s.api.get(s.token("alice"), ACTIVE).expect(403),
                    "engineer without a grant", () -> s.api.get(s.token("carol"), ACTIVE).expect(404),
                    "invalid environment name", () -> s.api.get(bob, "/api/grants/active?environment=Prod_DB").expect(400),
                    "no environment", () -> s.api.get(bob, "/api/grants/active").expect(400),
                    "percent-encoded name", () -> s.api.get(bob, "/api/grants/active?environment=prod%2Ddb").expect(200),
                    "a second parameter", () -> s.api.get(bob, ACTIVE + "&x=1").expect(200),
                    "another method", () -> s.api.post(bob, ACTIVE, Map.of()).expect(404),
                    "another environment", () -> s.api.get(bob, "/api/grants/active?environment=staging").expect(403)));
            fullPath.forEach((what, call) -> {
                call.get();
                assertThat(s.server.grantLookupsFromCache()).as(what).isEqualTo(1);
            });
            assertThat(s.api.get(bob, "/api/grants/active?environment=prod%2Ddb").as(ActiveGrant.class).requestId()).isEqualTo(r.id());

            s.api.get(bob, ACTIVE).expect(200);
            assertThat(s.server.grantLookupsFromCache()).isEqualTo(2);
        }
    }

    @Test
    void aRevocationOrADisabledUserIsNeverAnsweredFromTheCache() {
        try (TestServer s = new TestServer(dir).withCast()) {
            AccessRequest r = s.request("bob", TestServer.ENV);
            s.decide("alice", r.id(), "approve");
            AccessRequest c = s.request("carol", TestServer.ENV);
            s.decide("alice", c.id(), "approve");
            for (String engineer : List.of("bob", "bob", "carol", "carol")) s.api.get(s.token(engineer), ACTIVE).expect(200);
            assertThat(s.server.grantLookupsFromCache()).isEqualTo(2);

            s.decide("alice", r.id(), "revoke");
            assertThat(s.api.get(s.token("bob"), ACTIVE).expect(404).error().error()).isEqualTo("access_revoked");
            s.api.get(s.token("carol"), ACTIVE).expect(200); // the revocation emptied every cached grant: full path again
            s.api.get(s.token("carol"), ACTIVE).expect(200);
            assertThat(s.server.grantLookupsFromCache()).isEqualTo(3);

            s.api.delete(TestServer.ADMIN_TOKEN, "/api/users/carol").expect(204);
            s.api.get(s.token("carol"), ACTIVE).expect(401);
            assertThat(s.server.grantLookupsFromCache()).isEqualTo(3);
        }
    }

    @Test
    void aRequestWaitingForItsBodyHoldsUpNeitherCachedLookupsNorOtherCalls() throws Exception {
        try (TestServer s = new TestServer(dir).withCast()) {
            AccessRequest r = s.request("bob", TestServer.ENV);
            s.decide("alice", r.id(), "approve");
            URI base = URI.create(s.server.baseUrl());
            try (Socket slow = new Socket(base.getHost(), base.getPort())) {
                slow.setSoTimeout(10_000);
                OutputStream out = slow.getOutputStream();
                // a request announcing 200 bytes of body and sending 9: its handler waits for the rest
                out.write(("POST /api/requests HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + s.token("carol")
                        + "\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"environ").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Thread.sleep(200); // let the server start handling it

                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                // the first lookup fills the caches (through Javalin), the next are answered in front of it
                for (String path : List.of(ACTIVE, ACTIVE, "/api/requests", ACTIVE)) {
                    HttpResponse<String> answer = http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(5))
                            .header("Authorization", "Bearer " + s.token("bob")).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(answer.statusCode()).as(path).isEqualTo(200);
                }
                assertThat(s.server.grantLookupsFromCache()).isPositive();

                out.write(" ".repeat(191).getBytes(StandardCharsets.US_ASCII)); // the rest: not valid JSON
                out.flush();
                assertThat(statusLine(slow.getInputStream())).isEqualTo("HTTP/1.1 400 Bad Request");
            }
        }
    }

    private static Map<String, List<String>> headersButDate(HttpResponse<?> response) {
        Map<String, List<String>> headers = new TreeMap<>(response.headers().map());
        headers.remove("date");
        return headers;
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != -1 && b != '\r'; b = in.read()) line.append((char) b);
        return line.toString();
    }
}

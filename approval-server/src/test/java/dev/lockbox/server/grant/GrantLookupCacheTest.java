package dev.lockbox.server.grant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockbox.api.grant.ActiveGrant;
import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.server.http.JsonBody;
import dev.lockbox.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /api/grants/active} answers from a short-lived cache; these are the ways a cached
 * grant must stop being served at once, well inside the cache lifetime.
 */
class GrantLookupCacheTest {
    private static final String ACTIVE = "/api/grants/active?environment=" + TestServer.ENV;

    @TempDir
    Path dir;

    @Test
    void aCachedAnswerIsTheSameJsonAsAFreshOne() throws Exception {
        try (TestServer s = new TestServer(dir).withCast()) {
            AccessRequest r = s.request("bob", TestServer.ENV);
            s.decide("alice", r.id(), "approve");
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest get = HttpRequest.newBuilder(URI.create(s.server.baseUrl() + ACTIVE))
                    .header("Authorization", "Bearer " + s.token("bob")).build();

            HttpResponse<String> miss = http.send(get, HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> hit = http.send(get, HttpResponse.BodyHandlers.ofString()); // from the cache, encoded once

            ActiveGrant grant = JsonBody.strictMapper().readValue(miss.body(), ActiveGrant.class);
            assertThat(grant.requestId()).isEqualTo(r.id());
            assertThat(miss.body()).isEqualTo(JsonBody.strictMapper().writeValueAsString(grant)); // what ctx.json would write
            for (HttpResponse<String> answer : List.of(miss, hit)) {
                assertThat(answer.statusCode()).isEqualTo(200);
                assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
            }
            assertThat(hit.body()).isEqualTo(miss.body());
        }
    }

    @Test
    void revocationIsVisibleOnTheNextLookup() {
        try (TestServer s = new TestServer(dir).withCast()) {
            AccessRequest r = s.request("bob", TestServer.ENV);
            s.api.get(s.token("bob"), ACTIVE).expect(404); // pending: refusals are not cached
            s.decide("alice", r.id(), "approve");
            assertThat(s.api.get(s.token("bob"), ACTIVE).expect(200).as(ActiveGrant.class).requestId()).isEqualTo(r.id());
            assertThat(s.api.get(s.token("bob"), ACTIVE).expect(200).as(ActiveGrant.class).requestId()).isEqualTo(r.id()); // cached

            s.decide("alice", r.id(), "revoke");

            assertThat(s.api.get(s.token("bob"), ACTIVE).expect(404).error().error()).isEqualTo("access_revoked");
        }
    }

    @Test
    void theEndOfTheWindowIsVisibleWithoutWaitingForTheScheduler() {
        try (TestServer s = new TestServer(dir).withCast()) {
            AccessRequest r = s.request("bob", TestServer.ENV);
            s.decide("alice", r.id(), "approve");
            s.api.get(s.token("bob"), ACTIVE).expect(200);

            s.clock.advance(Duration.ofHours(4)); // the whole period; no tick, so the row is still APPROVED

            assertThat(s.api.get(s.token("bob"), ACTIVE).expect(404).error().error()).isEqualTo("access_expired");
        }
    }

    @Test
    void aGrantRevokedOnAnotherReplicaIsRefusedOnceTheCacheTtlHasPassed() throws Exception {
        try (TestServer a = new TestServer(dir.resolve("a")).withCast(); TestServer b = a.replica(dir.resolve("b"))) {
            AccessRequest r = a.request("bob", TestServer.ENV);
            a.decide("alice", r.id(), "approve");
            b.api.get(b.token("bob"), ACTIVE).expect(200);
            b.api.get(b.token("bob"), ACTIVE).expect(200); // cached on b

            a.decide("alice", r.id(), "revoke");
            long revokedAt = System.nanoTime();

            assertThat(a.api.get(a.token("bob"), ACTIVE).expect(404).error().error()).isEqualTo("access_revoked");
            Thread.sleep(Math.max(0, (revokedAt + GrantLookup.CACHE_TTL.toNanos() - System.nanoTime()) / 1_000_000 + 1));
            assertThat(b.api.get(b.token("bob"), ACTIVE).expect(404).error().error()).isEqualTo("access_revoked");
        }
    }

    @Test
    void aCachedGrantIsOnlyEverTheCallersOwn() {
        try (TestServer s = new TestServer(dir).withCast()) {
            AccessRequest r = s.request("bob", TestServer.ENV);
            s.decide("alice", r.id(), "approve");
            s.api.get(s.token("bob"), ACTIVE).expect(200);

            assertThat(s.api.get(s.token("carol"), ACTIVE).expect(404).error().error()).isEqualTo("no_request");
            s.api.get(s.token("alice"), ACTIVE).expect(403); // approvers are not engineers: the role check runs before the cache
        }
    }
}

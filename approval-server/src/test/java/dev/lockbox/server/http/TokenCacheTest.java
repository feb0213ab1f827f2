package dev.lockbox.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockbox.api.admin.IssuedToken;
import dev.lockbox.server.testing.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Accepted API tokens are cached for {@link Authenticator#CACHE_TTL}: a token disabled or rotated
 * on this replica is refused on the very next call, and on another replica sharing the store
 * once the TTL has passed.
 */
class TokenCacheTest {
    private static final String ANY_CALL = "/api/requests";

    @TempDir
    Path dir;

    @Test
    void aDisabledUsersTokenIsRefusedAtOnceHereAndWithinTheTtlOnAnotherReplica() throws Exception {
        try (TestServer a = new TestServer(dir.resolve("a")).withCast(); TestServer b = a.replica(dir.resolve("b"))) {
            String bob = a.token("bob");
            a.api.get(bob, ANY_CALL).expect(200);
            b.api.get(bob, ANY_CALL).expect(200); // now cached on both replicas

            a.api.delete(TestServer.ADMIN_TOKEN, "/api/users/bob").expect(204);
            long disabledAt = System.nanoTime();

            a.api.get(bob, ANY_CALL).expect(401); // the replica that disabled bob: at once
            sleepUntil(disabledAt + Authenticator.CACHE_TTL.toNanos());
            b.api.get(bob, ANY_CALL).expect(401); // the other: its entry predates the change and has aged out
        }
    }

    @Test
    void aRotatedTokenIsRefusedAtOnceHereAndWithinTheTtlOnAnotherReplica() throws Exception {
        try (TestServer a = new TestServer(dir.resolve("a")).withCast(); TestServer b = a.replica(dir.resolve("b"))) {
            String old = a.token("carol");
            a.api.get(old, ANY_CALL).expect(200);
            b.api.get(old, ANY_CALL).expect(200);

            String rotated = a.api.post(TestServer.ADMIN_TOKEN, "/api/users/carol/tokens", null).expect(201).as(IssuedToken.class).token();
            long rotatedAt = System.nanoTime();

            a.api.get(old, ANY_CALL).expect(401);
            b.api.get(rotated, ANY_CALL).expect(200); // a new token is never refused from a cache
            sleepUntil(rotatedAt + Authenticator.CACHE_TTL.toNanos());
            b.api.get(old, ANY_CALL).expect(401);
            a.api.get(rotated, ANY_CALL).expect(200);
        }
    }

    @Test
    void refusalsAreNotCachedAndRolesComeWithTheCachedCaller() {
        try (TestServer s = new TestServer(dir).withCast()) {
            for (int i = 0; i < 3; i++) s.api.get("lbx_not-a-token", ANY_CALL).expect(401);
            s.api.get(s.token("dave"), "/api/users").expect(403); // auditor: cached or not, not an admin
            s.api.get(s.token("dave"), "/api/users").expect(403);
            s.api.get(TestServer.ADMIN_TOKEN, "/api/users").expect(200);
        }
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        for (long left = nanoTime - System.nanoTime(); left > 0; left = nanoTime - System.nanoTime()) {
            Thread.sleep(left / 1_000_000 + 1);
        }
    }
}

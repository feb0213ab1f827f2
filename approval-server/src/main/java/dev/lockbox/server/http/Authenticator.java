package dev.lockbox.server.http;

import dev.lockbox.server.user.ApiToken;
import dev.lockbox.server.user.UserStore;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns {@code Authorization: Bearer <token>} into a {@link Caller}. Token hashes are cached for
 * a few seconds because every driver statement path hits the server; the cache is emptied at once
 * by any change to users in this process, and the short lifetime bounds how long another replica
 * sharing the store may still accept a rotated or disabled token.
 */
public final class Authenticator {
    private static final long CACHE_NANOS = Duration.ofSeconds(5).toNanos();
    private static final int CACHE_LIMIT = 10_000;

    private final UserStore users;
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();

    public Authenticator(UserStore users) {
        this.users = users;
        users.onChange(cache::clear);
    }

    void authenticate(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            throw new ApiException(401, "unauthenticated", "an API token is required (Authorization: Bearer <token>)");
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() > 7 + 512) {
            throw new ApiException(401, "unauthenticated", "the Authorization header must be 'Bearer <token>'");
        }
        String hash = ApiToken.hash(header.substring(7).trim());
        long now = System.nanoTime();
        Cached hit = cache.get(hash);
        Optional<Caller> caller;
        if (hit != null && now - hit.loadedAt < CACHE_NANOS) {
            caller = hit.caller;
        } else {
            caller = users.findActiveByTokenHash(hash).map(u -> new Caller(u.name(), u.roles()));
            if (cache.size() >= CACHE_LIMIT) cache.clear(); // bounded: unknown tokens must not grow memory
            cache.put(hash, new Cached(caller, now));
        }
        Caller c = caller.orElseThrow(() -> new ApiException(401, "unauthenticated",
                "the API token is not valid (unknown, rotated, or its user is disabled)"));
        ctx.attribute(Caller.ATTRIBUTE, c);
    }

    private record Cached(Optional<Caller> caller, long loadedAt) {}
}

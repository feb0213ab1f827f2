package dev.lockbox.server.http;

import dev.lockbox.server.user.ApiToken;
import dev.lockbox.server.user.UserStore;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns {@code Authorization: Bearer <token>} into a {@link Caller}.
 *
 * <p>Every driver connection and grant poll is a call, so accepted tokens are cached for
 * {@link #CACHE_TTL}, keyed by the token's SHA-256 (the clear token is never kept). An entry is
 * served only while (a) no user changed in this process since before it was read from the store
 * (a rotation or disabling bumps a generation and empties the cache, so a read racing the change
 * can never be cached as current) and (b) it is younger than the TTL, which bounds how long
 * another replica sharing the store may still accept a token rotated or disabled elsewhere.
 * Refusals are never cached: an unknown token costs one indexed query every time, and cannot push
 * valid entries out.
 */
public final class Authenticator {
    /** How long another replica may still accept a token rotated or disabled elsewhere (docs/scale-out.md). */
    public static final Duration CACHE_TTL = Duration.ofSeconds(1);
    private static final long CACHE_NANOS = CACHE_TTL.toNanos();
    private static final int CACHE_LIMIT = 10_000;

    private final UserStore users;
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();

    public Authenticator(UserStore users) {
        this.users = users;
        users.onChange(() -> {
            generation.incrementAndGet();
            cache.clear();
        });
    }

    void authenticate(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            throw new ApiException(401, "unauthenticated", "an API token is required (Authorization: Bearer <token>)");
        }
        String token = bearerToken(header);
        if (token == null) throw new ApiException(401, "unauthenticated", "the Authorization header must be 'Bearer <token>'");
        ctx.attribute(Caller.ATTRIBUTE, caller(ApiToken.hash(token)));
    }

    /** The token of a {@code Bearer <token>} header (scheme in any case, at most 512 characters of token), else null. */
    private static String bearerToken(String header) {
        if (header == null || header.length() > 7 + 512 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) return null;
        return header.substring(7).trim();
    }

    /**
     * The caller of a well-formed {@code Authorization} header whose token is in the cache and
     * servable now, else {@code null}: never reads the store, never throws. For answers served
     * without a store round trip; on {@code null} the request takes the full path
     * ({@link #authenticate}), which reads the store and gives the refusals.
     */
    public Caller cachedCaller(String header) {
        String token = bearerToken(header);
        return token == null || token.isEmpty() ? null : cached(ApiToken.hash(token));
    }

    /**
     * The caller of a bare API token (as the audit channel receives it): from the cache while servable,
     * else read from the store. Throws the 401 of {@link #authenticate} for a missing, over-long,
     * unknown, rotated or disabled token.
     */
    public Caller callerOfToken(String token) {
        if (token == null || token.isBlank()) {
            throw new ApiException(401, "unauthenticated", "an API token is required");
        }
        if (token.length() > 512) {
            throw new ApiException(401, "unauthenticated", "the API token is not valid (unknown, rotated, or its user is disabled)");
        }
        return caller(ApiToken.hash(token.trim()));
    }

    /** The cached caller of a token hash while its entry is servable (same generation, younger than the TTL), else null. */
    private Caller cached(String hash) {
        Cached hit = cache.get(hash);
        return hit != null && hit.generation == generation.get() && System.nanoTime() - hit.loadedAtNanos < CACHE_NANOS ? hit.caller : null;
    }

    private Caller caller(String hash) {
        Caller hit = cached(hash);
        if (hit != null) return hit;
        // read before the store: an entry loaded while a change is under way is never served as current
        long now = System.nanoTime();
        long gen = generation.get();
        Optional<Caller> found = users.findActiveByTokenHash(hash).map(u -> new Caller(u.name(), u.roles()));
        if (found.isEmpty()) {
            cache.remove(hash);
            throw new ApiException(401, "unauthenticated", "the API token is not valid (unknown, rotated, or its user is disabled)");
        }
        if (cache.size() >= CACHE_LIMIT) cache.clear(); // bounded whatever the number of users
        cache.put(hash, new Cached(found.get(), gen, now));
        return found.get();
    }

    private record Cached(Caller caller, long generation, long loadedAtNanos) {}
}

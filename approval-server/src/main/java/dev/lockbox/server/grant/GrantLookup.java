package dev.lockbox.server.grant;

import dev.lockbox.api.grant.ActiveGrant;
import dev.lockbox.api.grant.GrantRefusal;
import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.server.environment.EnvironmentStore;
import dev.lockbox.server.environment.StoredEnvironment;
import dev.lockbox.server.http.ApiException;
import dev.lockbox.server.request.RequestStore;
import dev.lockbox.server.store.Store;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Finds an engineer's active grant on an environment, or says why there is none (a
 * {@link GrantRefusal} code with a sentence saying what to do). The driver shows that sentence
 * as the SQLException message, so it must make sense to a person in a SQL tool.
 *
 * <p>Active grants are cached for {@link #CACHE_TTL} because the driver asks before every
 * connection and the answer rarely changes. An entry is served only while (a) no grant started or
 * ended in this process since before it was read from the store ({@link #changed()} bumps a
 * generation, so a read racing a revocation can never be cached as current), (b) the window it
 * describes is open on the server's clock, and (c) it is younger than the TTL, which bounds how
 * long another replica sharing the store may still answer for a grant revoked elsewhere.
 * Refusals are never cached: they are rare and their messages depend on the time. A cached grant
 * keeps its JSON answer, encoded once when it was read (the answer is the same bytes until the
 * entry is dropped), so a hit writes no JSON.
 */
public final class GrantLookup {
    static final Duration CACHE_TTL = Duration.ofMillis(500);
    private static final long CACHE_NANOS = CACHE_TTL.toNanos();
    private static final int CACHE_LIMIT = 50_000;

    private final Store store;
    private final EnvironmentStore environments;
    private final RequestStore requests;
    private final Function<ActiveGrant, byte[]> json;
    private final ConcurrentHashMap<Key, Cached> cache = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();

    /** {@code json}: the answer's encoding (the server's JSON mapper). */
    public GrantLookup(Store store, EnvironmentStore environments, RequestStore requests, Function<ActiveGrant, byte[]> json) {
        this.store = store;
        this.environments = environments;
        this.requests = requests;
        this.json = json;
    }

    /** An active grant and its JSON encoding. */
    public record Answer(ActiveGrant grant, byte[] json) {}

    /**
     * The hot path of {@code GET /api/grants/active}: one indexed query when a grant is active (an
     * environment with an open grant cannot be deleted, so its existence needs no second query).
     */
    public Answer active(String engineer, String environment, Instant now) {
        Key key = new Key(engineer, environment);
        long nanos = System.nanoTime();
        long gen = generation.get();
        Cached hit = cache.get(key);
        if (hit != null && hit.servable(gen, nanos, now)) return hit.answer;
        Optional<AccessRequest> active = store.read(c -> requests.activeGrant(c, engineer, environment, now));
        if (active.isPresent()) {
            Answer answer = answer(Grant.toWire(active.get()));
            if (cache.size() >= CACHE_LIMIT) cache.clear(); // bounded whatever the number of engineers
            cache.put(key, new Cached(answer, gen, nanos));
            return answer;
        }
        cache.remove(key);
        return answer(resolve(engineer, environment, now).toWire());
    }

    /**
     * The JSON answer of {@link #active} when it is cached and servable now, else {@code null}:
     * never reads the store. On {@code null} the caller takes {@link #active}, which does.
     */
    public byte[] cachedJson(String engineer, String environment, Instant now) {
        Cached hit = cache.get(new Key(engineer, environment));
        return hit != null && hit.servable(generation.get(), System.nanoTime(), now) ? hit.answer.json() : null;
    }

    private Answer answer(ActiveGrant grant) {
        return new Answer(grant, json.apply(grant));
    }

    /** Forgets every cached grant: called when any grant starts or ends (approval, revocation, end of window). */
    public void changed() {
        generation.incrementAndGet();
        cache.clear();
    }

    /** A number that moves on every {@link #changed()}: read it before reading a grant to cache alongside it. */
    public long generation() {
        return generation.get();
    }

    /** {@code next}, preceded by {@link #changed()}: the listener the request workflow reports grant changes to. */
    public GrantLifecycleListener invalidating(GrantLifecycleListener next) {
        return new GrantLifecycleListener() {
            @Override
            public void grantStarted(AccessRequest grant) {
                changed();
                next.grantStarted(grant);
            }

            @Override
            public void grantEnded(AccessRequest grant) {
                changed();
                next.grantEnded(grant);
            }
        };
    }

    /** The active grant; throws 403 for an unknown environment and 404 with a refusal code otherwise. */
    public Grant resolve(String engineer, String environment, Instant now) {
        return store.read(c -> {
            StoredEnvironment env = environments.find(c, environment).orElseThrow(() -> new ApiException(403, "unknown_environment",
                    "there is no environment named " + environment + " on this Lockbox server; check the name in the JDBC URL"));
            Optional<AccessRequest> active = requests.activeGrant(c, engineer, environment, now);
            if (active.isPresent()) return new Grant(active.get(), env);
            Optional<AccessRequest> latest = requests.latest(c, engineer, environment);
            throw refusal(engineer, env, latest, now);
        });
    }

    private static ApiException refusal(String engineer, StoredEnvironment env, Optional<AccessRequest> latest, Instant now) {
        String again = "; file a new access request (POST /api/requests) for " + env.name() + " if you still need access";
        if (latest.isEmpty()) {
            return refuse(GrantRefusal.NO_REQUEST, engineer + " has no access request on " + env.name()
                    + ": file one (POST /api/requests) and have an approver of " + env.name() + " approve it");
        }
        AccessRequest r = latest.get();
        return switch (r.status()) {
            case PENDING -> now.isBefore(r.requestExpiresAt())
                    ? refuse(GrantRefusal.REQUEST_PENDING, "request " + r.id() + " is pending until " + r.requestExpiresAt()
                            + ": ask an approver of " + env.name() + " " + env.approvers() + " to approve it")
                    : refuse(GrantRefusal.REQUEST_EXPIRED, "request " + r.id() + " expired at " + r.requestExpiresAt() + " without a decision" + again);
            case DENIED -> refuse(GrantRefusal.REQUEST_DENIED, "request " + r.id() + " was denied by " + r.decidedBy() + " at " + r.decidedAt() + again);
            case EXPIRED -> refuse(GrantRefusal.REQUEST_EXPIRED, "request " + r.id() + " expired at " + r.requestExpiresAt() + " without a decision" + again);
            case CANCELLED -> refuse(GrantRefusal.REQUEST_CANCELLED, "request " + r.id() + " was cancelled at " + r.decidedAt() + again);
            case REVOKED -> refuse(GrantRefusal.ACCESS_REVOKED, "access under request " + r.id() + " was revoked" + again);
            case APPROVED -> refuse(GrantRefusal.ACCESS_EXPIRED, "access under request " + r.id() + " ended at " + r.accessExpiresAt() + again);
        };
    }

    private static ApiException refuse(GrantRefusal reason, String message) {
        return new ApiException(404, reason.code(), message);
    }

    private record Key(String engineer, String environment) {}

    private record Cached(Answer answer, long generation, long loadedAtNanos) {
        boolean servable(long currentGeneration, long nanos, Instant now) {
            ActiveGrant grant = answer.grant();
            return generation == currentGeneration && nanos - loadedAtNanos < CACHE_NANOS
                    && !now.isBefore(grant.accessStartsAt()) && now.isBefore(grant.accessExpiresAt());
        }
    }
}

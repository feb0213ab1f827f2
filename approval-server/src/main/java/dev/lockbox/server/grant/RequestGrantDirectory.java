package dev.lockbox.server.grant;

import dev.lockbox.api.request.RequestStatus;
import dev.lockbox.server.audit.GrantDirectory;
import dev.lockbox.server.audit.GrantRecord;
import dev.lockbox.server.environment.EnvironmentStore;
import dev.lockbox.server.environment.StoredEnvironment;
import dev.lockbox.server.request.RequestStore;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The audit log's view of grants, from the request store (never from what a client claims).
 *
 * <p>Every audit POST asks for the grant its events name, and a sync driver sends one POST per
 * statement; reading the request and its environment each time cost ~60 µs of the POST. Approved
 * grants are therefore kept for {@link GrantLookup#CACHE_TTL}, under the same rule as the grant
 * lookup's cache: an entry is used only while no grant started or ended in this process since
 * before it was read ({@code grantChanges}, {@link GrantLookup#generation()}), so a revocation here
 * is seen by the next POST; the TTL bounds how long a revocation on another replica sharing the
 * store, or a change of the environment's {@code recordParameters}, takes to be seen. The access
 * window itself is judged on every event against the server's clock ({@code GrantAdmission}).
 * Anything not APPROVED is read every time.
 */
public final class RequestGrantDirectory implements GrantDirectory {
    private static final long CACHE_NANOS = GrantLookup.CACHE_TTL.toNanos();
    private static final int CACHE_LIMIT = 50_000;

    private final RequestStore requests;
    private final EnvironmentStore environments;
    private final LongSupplier grantChanges;
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();

    /** {@code grantChanges}: a number that moves whenever a grant starts or ends in this process. */
    public RequestGrantDirectory(RequestStore requests, EnvironmentStore environments, LongSupplier grantChanges) {
        this.requests = requests;
        this.environments = environments;
        this.grantChanges = grantChanges;
    }

    @Override
    public Optional<GrantRecord> find(String requestId) {
        if (requestId == null) return Optional.empty();
        long generation = grantChanges.getAsLong();
        long nanos = System.nanoTime();
        Cached hit = cache.get(requestId);
        if (hit != null && hit.generation == generation && nanos - hit.loadedAtNanos < CACHE_NANOS) {
            return Optional.of(hit.grant);
        }
        Optional<GrantRecord> found = requests.find(requestId).map(r -> new GrantRecord(r.id(), r.environment(), r.requester(),
                r.supportTicketId(), r.status(), r.accessStartsAt(), r.accessExpiresAt(),
                // A deleted environment keeps the safe default: record what was bound.
                environments.find(r.environment()).map(StoredEnvironment::recordParameters).orElse(true)));
        if (found.isPresent() && found.get().status() == RequestStatus.APPROVED) {
            if (cache.size() >= CACHE_LIMIT) cache.clear(); // bounded whatever the number of grants
            cache.put(requestId, new Cached(found.get(), generation, nanos));
        } else {
            cache.remove(requestId);
        }
        return found;
    }

    private record Cached(GrantRecord grant, long generation, long loadedAtNanos) {}
}

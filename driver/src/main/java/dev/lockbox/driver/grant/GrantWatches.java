package dev.lockbox.driver.grant;

import dev.lockbox.api.grant.ActiveGrant;
import dev.lockbox.driver.config.DriverConfig;
import dev.lockbox.driver.server.LockboxServerClient;
import java.net.URI;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;

/** One {@link GrantWatch} (one poller thread) per grant per driver instance, shared by its connections. */
public final class GrantWatches {
    private record Key(URI server, String requestId) {}

    private final ConcurrentHashMap<Key, GrantWatch> watches = new ConcurrentHashMap<>();
    private final Clock clock;

    public GrantWatches(Clock clock) {
        this.clock = clock;
    }

    /** Registers {@code listener} with the watch of {@code grant}; remove it with {@link GrantWatch#remove}. */
    public GrantWatch watch(DriverConfig config, LockboxServerClient client, ActiveGrant grant, GrantWatch.Listener listener) {
        Key key = new Key(config.serverUri(), grant.requestId());
        while (true) {
            boolean[] created = new boolean[1];
            GrantWatch watch = watches.computeIfAbsent(key, k -> {
                created[0] = true;
                GrantWatch[] self = new GrantWatch[1];
                self[0] = new GrantWatch(client, grant.requestId(), grant.environment(), grant.accessExpiresAt(), clock,
                        config.grantCheckIntervalMs(), () -> watches.remove(k, self[0]));
                return self[0];
            });
            if (watch.add(listener)) {
                if (created[0]) {
                    watch.start();
                }
                return watch;
            }
            watches.remove(key, watch);
        }
    }

    public int size() {
        return watches.size();
    }
}

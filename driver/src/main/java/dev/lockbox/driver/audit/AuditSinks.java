package dev.lockbox.driver.audit;

import dev.lockbox.driver.config.AuditMode;
import dev.lockbox.driver.config.DriverConfig;
import dev.lockbox.driver.server.LockboxServerClient;
import java.net.URI;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The audit sinks of one driver instance (so, for the registered driver, of the JVM): one per
 * server, environment, credentials and audit settings, shared by the connections that match.
 * Credentials are part of the key because the server checks each event against the caller's grant.
 */
public final class AuditSinks {
    private record Key(URI server, String environment, String user, String token, AuditMode mode,
                       int maxPending, long maxLagMs, long lingerMs, long timeoutMs) {}

    private final ConcurrentHashMap<Key, AuditSink> sinks = new ConcurrentHashMap<>();
    public AuditSinks() {
    }

    /** The sink for {@code config}, retained once; the caller must {@link AuditSink#release()} it. */
    public AuditSink acquire(DriverConfig config, LockboxServerClient client) {
        Key key = new Key(config.serverUri(), config.environment(), config.user(), config.token(), config.auditMode(),
                config.auditMaxPending(), config.auditMaxLagMs(),
                config.auditMode() == AuditMode.ASYNC ? config.auditLingerMs() : 0, config.connectTimeoutMs());
        while (true) {
            AuditSink sink = sinks.computeIfAbsent(key, k -> newSink(k, client));
            if (sink.retain()) {
                return sink;
            }
            sinks.remove(key, sink); // closing: take a fresh one
        }
    }

    private AuditSink newSink(Key key, LockboxServerClient client) {
        AuditSink[] self = new AuditSink[1];
        self[0] = new AuditSink(client, key.environment(), key.mode(), key.maxPending(), key.maxLagMs(),
                key.lingerMs(), key.timeoutMs(), () -> sinks.remove(key, self[0]));
        return self[0];
    }

    /** Number of live sinks (for tests and diagnostics). */
    public int size() {
        return sinks.size();
    }
}

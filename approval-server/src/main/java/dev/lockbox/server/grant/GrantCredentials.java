package dev.lockbox.server.grant;

import dev.lockbox.api.grant.GrantRefusal;
import dev.lockbox.api.grant.TargetConnection;
import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.api.request.RequestHistoryEntry;
import dev.lockbox.api.request.RequestStatus;
import dev.lockbox.server.broker.BrokerEvent;
import dev.lockbox.server.broker.BrokerException;
import dev.lockbox.server.broker.CredentialBroker;
import dev.lockbox.server.broker.GrantSpec;
import dev.lockbox.server.broker.ReconcileReport;
import dev.lockbox.server.broker.RevocationRetry;
import dev.lockbox.server.environment.EnvironmentStore;
import dev.lockbox.server.environment.StoredEnvironment;
import dev.lockbox.server.http.ApiException;
import dev.lockbox.server.request.RequestStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database credentials of grants (docs/credential-broker.md). A {@code static} environment
 * hands every grant its configured user; a {@code broker} environment gets a user per grant from
 * the {@link CredentialBroker}: created when the grant starts, handed to the driver at connect,
 * dropped (sessions killed) when it ends, and reconciled at start and every minute so users of
 * grants that ended while no server was watching (downtime, an unreachable target) go too.
 */
public final class GrantCredentials implements GrantLifecycleListener, AutoCloseable {
    /** How often leftover grant users are looked for. */
    public static final Duration RECONCILE_INTERVAL = Duration.ofMinutes(1);
    /** A failed revocation is retried after 1 s, 2 s, 4 s, … and then every {@link #RECONCILE_INTERVAL} until the user is dropped. */
    public static final RevocationRetry.Backoff REVOKE_BACKOFF = new RevocationRetry.Backoff(Duration.ofSeconds(1), RECONCILE_INTERVAL);
    private static final Logger LOG = LoggerFactory.getLogger(GrantCredentials.class);

    private final RequestStore requests;
    private final EnvironmentStore environments;
    private final CredentialBroker broker;
    private final BrokerHistory history;
    private final Clock clock;
    private final RevocationRetry revokeRetries;
    /**
     * Reconciliation drops the users of every grant it does not see as active. A grant approved
     * between its look-up of active grants and its scan would lose its fresh user, so issuing
     * (shared) and reconciling (exclusive) do not overlap on this server.
     */
    private final ReadWriteLock reconciling = new ReentrantReadWriteLock();
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lockbox-broker-reconcile");
        t.setDaemon(true);
        return t;
    });

    public GrantCredentials(RequestStore requests, EnvironmentStore environments, CredentialBroker broker, BrokerHistory history, Clock clock) {
        this.requests = requests;
        this.environments = environments;
        this.broker = broker;
        this.history = history;
        this.clock = clock;
        this.revokeRetries = broker.retrying(REVOKE_BACKOFF);
    }

    /** Reconciles now (in the background, so an unreachable target does not hold up the start) and then every {@code interval}. */
    public void start(Duration interval) {
        executor.scheduleWithFixedDelay(this::reconcileQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Creates the grant's user as soon as the window opens, so it exists before the driver connects. */
    @Override
    public void grantStarted(AccessRequest grant) {
        if (!brokered(grant.environment())) return;
        try {
            issue(grant);
        } catch (IllegalArgumentException | BrokerException e) {
            // The connect retries and refuses with the reason; the approvers see it in the history now.
            LOG.warn("credential broker could not issue the user of request {}: {}", grant.id(), e.getMessage());
            history.record(grant.id(), new RequestHistoryEntry(now(), BrokerEvent.ACTOR, "issue_failed", null, null,
                    "database user not created: " + e.getMessage()));
        }
    }

    /** Kills the grant's sessions and drops its user; a failure is in the history and retried with back-off. */
    @Override
    public void grantEnded(AccessRequest grant) {
        try {
            broker.revoke(grant.id());
        } catch (BrokerException e) {
            LOG.warn("credential broker could not revoke the user of request {} (retried in {} s, then with back-off up to every {} s): {}",
                    grant.id(), REVOKE_BACKOFF.first().toSeconds(), REVOKE_BACKOFF.cap().toSeconds(), e.getMessage());
            revokeRetries.retry(grant.id());
        }
    }

    /**
     * The target connection handed to the driver for an active grant.
     *
     * @throws ApiException 503 {@code credentials_unavailable} when the broker cannot issue the user
     *                      (target down, scope table missing on the target, …): the driver then has nothing
     *                      useful to connect with, so the connect is refused with the reason
     */
    public TargetConnection target(Grant grant) {
        StoredEnvironment env = grant.environment();
        if (!env.brokered()) return new TargetConnection(env.jdbcUrl(), env.targetUser(), env.targetPassword());
        TargetConnection issued;
        try {
            issued = issue(grant.request());
        } catch (IllegalArgumentException | BrokerException e) {
            throw new ApiException(503, "credentials_unavailable", "the database user of request " + grant.request().id()
                    + " could not be issued on " + env.name() + ": " + e.getMessage() + "; ask an admin of Lockbox to check the target");
        }
        // Revoked while the user was being issued: the end-of-grant revocation may have run before
        // the user existed, so drop it here rather than hand it out.
        Optional<AccessRequest> now = requests.find(grant.request().id());
        if (now.isEmpty() || now.get().status() != RequestStatus.APPROVED) {
            grantEnded(grant.request());
            throw new ApiException(404, GrantRefusal.ACCESS_REVOKED.code(), "access under request " + grant.request().id() + " was revoked");
        }
        return issued;
    }

    /** Drops the users of grants that are not active; returns what was done. */
    public ReconcileReport reconcile() {
        reconciling.writeLock().lock();
        try {
            return broker.reconcile(new HashSet<>(requests.activeGrantIds(now())));
        } finally {
            reconciling.writeLock().unlock();
        }
    }

    private TargetConnection issue(AccessRequest grant) {
        reconciling.readLock().lock();
        try {
            return broker.issue(GrantSpec.of(grant));
        } finally {
            reconciling.readLock().unlock();
        }
    }

    private boolean brokered(String environment) {
        return environments.find(environment).map(StoredEnvironment::brokered).orElse(false);
    }

    private void reconcileQuietly() {
        try {
            ReconcileReport r = reconcile();
            if (!r.revokedRequests().isEmpty() || !r.droppedLeftovers().isEmpty()) {
                LOG.info("credential broker reconciliation: revoked users of requests {}, dropped leftovers {}",
                        r.revokedRequests(), r.droppedLeftovers());
            }
        } catch (RuntimeException e) {
            LOG.error("credential broker reconciliation failed", e);
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        revokeRetries.close();
        broker.close();
    }
}

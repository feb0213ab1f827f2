package dev.lockbox.server.broker;

import dev.lockbox.api.grant.TargetConnection;
import dev.lockbox.server.broker.BrokerEvent.Kind;
import dev.lockbox.server.broker.IssuedCredential.State;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues one database user per grant on the environment's target, and drops it when the grant
 * ends (docs/credential-broker.md). Every user the broker makes is first recorded in the store
 * ({@code broker_credential}), so a restarted server finds it again: {@link #issue} is idempotent
 * per request, {@link #revoke} is idempotent, and {@link #reconcile} removes what grants that
 * ended during downtime left behind.
 *
 * <p>Thread-safe. Calls for the same request are serialized within this server; across replicas
 * the store's primary key decides which one creates the user.
 */
public final class CredentialBroker implements AutoCloseable {
    /** A CREATING row older than this belongs to an issuer that died; another call takes it over. */
    static final Duration STALE_CREATION = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(CredentialBroker.class);

    private final CredentialLedger ledger;
    private final TargetDirectory targets;
    private final Clock clock;
    private final BrokerEventListener listener;
    private final AdminConnections admin = new AdminConnections();
    private final Object[] requestLocks = new Object[64];

    public CredentialBroker(DataSource store, TargetDirectory targets, Clock clock, BrokerEventListener listener) {
        this.ledger = new CredentialLedger(Objects.requireNonNull(store, "store"));
        this.targets = Objects.requireNonNull(targets, "targets");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listener = Objects.requireNonNull(listener, "listener");
        for (int i = 0; i < requestLocks.length; i++) requestLocks[i] = new Object();
    }

    /**
     * The target connection of an active grant: creates its database user on the first call, and
     * returns the same credentials on every later call (also after a restart).
     *
     * @throws IllegalArgumentException the grant cannot be issued as asked (ended window, unknown scope table)
     * @throws BrokerException          the target or the store failed, the grant's credentials were already
     *                                  revoked, or another replica is creating them right now; nothing was issued
     */
    public TargetConnection issue(GrantSpec grant) {
        Objects.requireNonNull(grant, "grant");
        Instant now = now();
        if (grant.accessExpiresAt() != null && !grant.accessExpiresAt().isAfter(now)) {
            throw new IllegalArgumentException("the access window of request " + grant.requestId() + " ended at " + grant.accessExpiresAt());
        }
        TargetDatabase target = target(grant.environment());
        synchronized (lockOf(grant.requestId())) {
            IssuedCredential existing = ledger.find(grant.requestId()).orElse(null);
            if (existing == null) {
                IssuedCredential row = new IssuedCredential(grant.requestId(), grant.environment(),
                        GrantUserName.forRequest(grant.requestId()), target.jdbcUrl(), GrantPassword.random(), State.CREATING, now, null);
                if (ledger.insertCreating(row)) return create(row, grant, target);
                existing = ledger.find(grant.requestId()).orElseThrow(() -> new BrokerException(
                        "user " + row.dbUser() + " of request " + grant.requestId() + " is recorded for another request"));
            }
            if (!existing.environment().equals(grant.environment())) {
                throw new IllegalArgumentException("request " + grant.requestId() + " was issued for environment '"
                        + existing.environment() + "', not '" + grant.environment() + "'");
            }
            return switch (existing.state()) {
                case ISSUED -> existing.toTargetConnection();
                case REVOKED -> throw new BrokerException("the database user of request " + grant.requestId()
                        + " was dropped at " + existing.revokedAt() + "; a revoked grant is never issued again");
                case CREATING -> {
                    if (existing.createdAt().plus(STALE_CREATION).isAfter(now) || !ledger.claimStale(existing, now)) {
                        throw new BrokerException("the database user of request " + grant.requestId()
                                + " is being created by another server; try again in a moment");
                    }
                    yield create(existing, grant, target);
                }
            };
        }
    }

    /**
     * Ends every session of the grant's user and drops it. Idempotent: a request without
     * credentials, or already revoked, is left as is.
     *
     * @throws BrokerException the target could not be reached; the credentials stay recorded so the
     *                         next {@link #reconcile} (or a {@link RevocationRetry}) retries, and a
     *                         REVOKE_FAILED event says so
     */
    public void revoke(String requestId) {
        revoke(requestId, true);
    }

    /**
     * {@link #revoke(String)}; with {@code reportFailure = false} a failure only throws (a
     * {@link RevocationRetry} retrying it logs each attempt, and the history has the first failure already).
     */
    void revoke(String requestId, boolean reportFailure) {
        Objects.requireNonNull(requestId, "requestId");
        synchronized (lockOf(requestId)) {
            IssuedCredential row = ledger.find(requestId).orElse(null);
            if (row == null || row.state() == State.REVOKED) return;
            TargetDatabase target = targets.target(row.environment()).orElse(null);
            if (target == null) {
                String why = "environment '" + row.environment() + "' has no target configured; user " + row.dbUser()
                        + " could not be dropped";
                if (reportFailure) emit(new BrokerEvent(now(), requestId, row.environment(), Kind.REVOKE_FAILED, row.dbUser().value(), why));
                throw new BrokerException(why);
            }
            try {
                removeUser(target, row.dbUser(), requestId);
            } catch (SQLException | RuntimeException e) {
                String why = "could not drop user " + row.dbUser() + " on environment '" + row.environment() + "': "
                        + e.getMessage() + "; retried until it is dropped";
                if (reportFailure) emit(new BrokerEvent(now(), requestId, row.environment(), Kind.REVOKE_FAILED, row.dbUser().value(), why));
                throw new BrokerException(why, e);
            }
            ledger.markRevoked(requestId, now());
        }
    }

    /** Retries of failed revocations on this broker, with {@code backoff} (close it before the broker). */
    public RevocationRetry retrying(RevocationRetry.Backoff backoff) {
        return new RevocationRetry(this, ledger::find, this::emit, clock, backoff);
    }

    /**
     * Drops every broker-made user whose grant is not in {@code activeRequestIds}: recorded ones
     * (grants that ended while the server was down, failed revocations) and users with the
     * broker's name shape found on a target without a record. Records created after this call
     * started are left alone, so a grant that starts meanwhile keeps its user. Never throws for a
     * single failure; the report lists them.
     */
    public ReconcileReport reconcile(Set<String> activeRequestIds) {
        Instant started = now();
        Set<GrantUserName> keep = new HashSet<>();
        for (String id : activeRequestIds) keep.add(GrantUserName.forRequest(id));
        List<String> revoked = new ArrayList<>();
        List<String> leftovers = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (IssuedCredential row : ledger.unrevoked()) {
            if (activeRequestIds.contains(row.requestId()) || !row.createdAt().isBefore(started)) continue;
            try {
                revoke(row.requestId());
                revoked.add(row.requestId());
            } catch (RuntimeException e) {
                failures.add("request " + row.requestId() + ": " + e.getMessage());
            }
        }
        for (TargetDatabase target : targets.targets()) {
            try {
                List<GrantUserName> found;
                try (Connection c = admin.open(target)) {
                    found = target.dialect().brokerUsers(c);
                }
                for (GrantUserName user : found) {
                    // Users with a live record belong to an issue in progress or an active grant;
                    // the loop above decides about them by request id.
                    if (keep.contains(user) || ledger.knowsUser(user)) continue;
                    removeUser(target, user, null);
                    leftovers.add(target.environment() + ":" + user);
                }
            } catch (SQLException | RuntimeException e) {
                failures.add("environment " + target.environment() + ": " + e.getMessage());
            }
        }
        ReconcileReport report = new ReconcileReport(revoked, leftovers, failures);
        if (!failures.isEmpty()) log.warn("credential broker reconciliation left failures: {}", failures);
        return report;
    }

    @Override
    public void close() {
        admin.close();
    }

    private TargetConnection create(IssuedCredential row, GrantSpec grant, TargetDatabase target) {
        TargetDialect dialect = target.dialect();
        String rights;
        try (Connection c = admin.open(target)) {
            GrantedObjects objects = new TargetCatalog(dialect).resolve(c, grant, target.schema());
            if (dialect.userExists(c, row.dbUser())) {
                // Left by an issuer that died mid-way: its password is unknown, start again.
                dialect.disableLogin(c, row.dbUser());
                dialect.endSessions(c, row.dbUser());
                dialect.dropUser(c, row.dbUser());
            }
            try {
                rights = dialect.createUser(c, row.dbUser(), row.password(), grant, objects);
            } catch (SQLException | RuntimeException e) {
                dropQuietly(dialect, c, row.dbUser(), e);
                throw e;
            }
        } catch (SQLException | RuntimeException e) {
            ledger.delete(row.requestId());
            if (e instanceof IllegalArgumentException || e instanceof BrokerException) throw (RuntimeException) e;
            throw new BrokerException("could not create the database user of request " + grant.requestId()
                    + " on environment '" + grant.environment() + "': " + e.getMessage(), e);
        }
        ledger.markIssued(row.requestId());
        emit(new BrokerEvent(now(), row.requestId(), row.environment(), Kind.USER_CREATED, row.dbUser().value(),
                "user " + row.dbUser() + " created with " + rights));
        return row.toTargetConnection();
    }

    /** Disable login first, so no session is opened between ending the sessions and the drop. */
    private void removeUser(TargetDatabase target, GrantUserName user, String requestId) throws SQLException {
        TargetDialect dialect = target.dialect();
        int ended;
        boolean existed;
        try (Connection c = admin.open(target)) {
            existed = dialect.userExists(c, user);
            if (!existed) {
                ended = 0;
            } else {
                dialect.disableLogin(c, user);
                ended = dialect.endSessions(c, user);
                dialect.dropUser(c, user);
                // An H2 user may change its own password, so it could have logged in again between
                // the two steps above; whatever session is left now belongs to a dropped user.
                ended += dialect.endSessions(c, user);
            }
        }
        Instant at = now();
        if (ended > 0) {
            emit(new BrokerEvent(at, requestId, target.environment(), Kind.SESSIONS_ENDED, user.value(),
                    ended + (ended == 1 ? " session" : " sessions") + " of user " + user + " ended"));
        }
        emit(new BrokerEvent(at, requestId, target.environment(), Kind.USER_DROPPED, user.value(),
                existed ? "user " + user + " dropped" + (requestId == null ? " (left over, no active grant)" : "")
                        : "user " + user + " was already gone from the target"));
    }

    private static void dropQuietly(TargetDialect dialect, Connection c, GrantUserName user, Exception cause) {
        try {
            dialect.dropUser(c, user);
        } catch (SQLException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private TargetDatabase target(String environment) {
        return targets.target(environment).orElseThrow(() -> new BrokerException(
                "environment '" + environment + "' has no target database configured for the credential broker"));
    }

    private void emit(BrokerEvent event) {
        if (event.requestId() == null) log.info("credential broker: {} on environment {}", event.detail(), event.environment());
        try {
            listener.brokerEvent(event);
        } catch (RuntimeException e) {
            log.warn("broker event listener failed for {}", event, e);
        }
    }

    private Object lockOf(String requestId) {
        return requestLocks[Math.floorMod(requestId.hashCode(), requestLocks.length)];
    }

    private Instant now() {
        // The store keeps microseconds; comparisons with values read back must see the same instant.
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}

package dev.lockbox.driver.testing;

import dev.lockbox.api.audit.AuditAck;
import dev.lockbox.api.audit.AuditBatch;
import dev.lockbox.api.audit.AuditEventSubmission;
import dev.lockbox.api.audit.AuditOutcome;
import dev.lockbox.api.audit.Decision;
import dev.lockbox.api.grant.ActiveGrant;
import dev.lockbox.api.grant.GrantStatus;
import dev.lockbox.api.grant.SessionGrant;
import dev.lockbox.api.grant.SessionOpen;
import dev.lockbox.api.grant.TargetConnection;
import dev.lockbox.api.request.AccessLevel;
import dev.lockbox.api.request.RequestStatus;
import dev.lockbox.driver.SqlState;
import dev.lockbox.driver.server.LockboxServerClient;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An approval server in memory, like HikariCP's StubConnection: isolates the driver's mechanism from
 * HTTP. It issues one grant on one environment whose target is a real H2 database, keeps every audit
 * batch it acknowledged, and can be told to refuse, fail or hang.
 */
public final class InMemoryLockboxServer implements LockboxServerClient {
    public final String environment;
    public final String requestId = UUID.randomUUID().toString();
    private final String targetUrl;
    private final Clock clock;

    public volatile AccessLevel accessLevel = AccessLevel.READ_WRITE;
    public volatile List<String> scope = List.of();
    public volatile Instant accessExpiresAt;
    public volatile RequestStatus status = RequestStatus.APPROVED;
    /** When set, openSession refuses with this (28000) exception. */
    public volatile SQLException refuseSessions;
    /** When set, audit batches fail with this exception (nothing is stored). */
    public volatile SQLException failAudit;
    /** When set, status polls fail with this exception. */
    public volatile SQLException failStatus;
    /** Runs before a batch is acknowledged (after it is "stored"): lets tests look at the database at that moment. */
    public volatile AuditHook beforeAck = batch -> { };

    public final List<AuditBatch> batches = new CopyOnWriteArrayList<>();
    /** False for overhead measurements: acknowledge without keeping anything. */
    public volatile boolean keepBatches = true;
    public final Map<String, SessionOpen> openSessions = new ConcurrentHashMap<>();
    public final List<String> closedSessions = new CopyOnWriteArrayList<>();
    public final AtomicInteger statusPolls = new AtomicInteger();
    public final AtomicInteger sessionCalls = new AtomicInteger();

    @FunctionalInterface
    public interface AuditHook {
        void beforeAck(AuditBatch batch) throws Exception;
    }

    /**
     * Holds the first batch that carries events (stored, not yet acknowledged) until {@code release}
     * opens; {@code inFlight} opens when it arrives. Later batches pass.
     */
    public void holdFirstEventBatch(CountDownLatch inFlight, CountDownLatch release) {
        beforeAck = batch -> {
            if (!batch.events().isEmpty() && inFlight.getCount() == 1) {
                inFlight.countDown();
                release.await(30, TimeUnit.SECONDS);
            }
        };
    }

    public InMemoryLockboxServer(String environment, String targetUrl, Clock clock) {
        this.environment = environment;
        this.targetUrl = targetUrl;
        this.clock = clock;
        this.accessExpiresAt = clock.instant().plus(Duration.ofHours(1));
    }

    @Override
    public SessionGrant openSession(SessionOpen open) throws SQLException {
        sessionCalls.incrementAndGet();
        if (refuseSessions != null) {
            throw refuseSessions;
        }
        openSessions.put(open.sessionId(), open);
        ActiveGrant grant = new ActiveGrant(requestId, "TICKET-1", open.environment(), "alice", accessLevel, scope,
                clock.instant().minusSeconds(60), accessExpiresAt, false);
        return new SessionGrant(open.sessionId(), grant, new TargetConnection(targetUrl, "sa", ""));
    }

    @Override
    public void closeSession(String sessionId) {
        closedSessions.add(sessionId);
        openSessions.remove(sessionId);
    }

    @Override
    public GrantStatus grantStatus(String id) throws SQLException {
        statusPolls.incrementAndGet();
        SQLException fail = failStatus;
        if (fail != null) {
            throw fail;
        }
        Instant now = clock.instant();
        boolean active = status == RequestStatus.APPROVED && now.isBefore(accessExpiresAt);
        return new GrantStatus(id, status, active, accessExpiresAt, now);
    }

    @Override
    public AuditAck submitAudit(AuditBatch batch) throws SQLException {
        SQLException fail = failAudit;
        if (fail != null) {
            throw fail;
        }
        try {
            beforeAck.beforeAck(batch);
        } catch (SQLException e) {
            throw e;
        } catch (Exception e) {
            throw SqlState.SERVER_UNAVAILABLE.exception("test hook failed: " + e, e);
        }
        if (keepBatches) {
            batches.add(batch);
        }
        return new AuditAck(batch.events().size(), 0, batch.outcomes().size());
    }

    public List<AuditEventSubmission> events() {
        List<AuditEventSubmission> all = new ArrayList<>();
        batches.forEach(b -> all.addAll(b.events()));
        return all;
    }

    public List<AuditEventSubmission> events(Decision decision) {
        return events().stream().filter(e -> e.decision() == decision).toList();
    }

    public List<AuditOutcome> outcomes() {
        List<AuditOutcome> all = new ArrayList<>();
        batches.forEach(b -> all.addAll(b.outcomes()));
        return all;
    }

    public AuditOutcome outcomeOf(String eventId) {
        return outcomes().stream().filter(o -> o.eventId().equals(eventId)).findFirst().orElse(null);
    }
}

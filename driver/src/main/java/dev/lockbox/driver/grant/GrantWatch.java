package dev.lockbox.driver.grant;

import dev.lockbox.api.grant.GrantStatus;
import dev.lockbox.api.request.RequestStatus;
import dev.lockbox.driver.SqlState;
import dev.lockbox.driver.server.LockboxServerClient;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Watches one grant for the connections of the JVM that use it: polls
 * {@code GET /api/grants/{requestId}/status} every {@code intervalMs} on a daemon thread and
 * enforces {@code accessExpiresAt} with the local clock, so sessions end within one second of a
 * revocation or expiry. Statements ask {@link #check(long)} (volatile reads only).
 */
public final class GrantWatch {
    /** A connection that must end when the grant does. */
    public interface Listener {
        void grantEnded(String reason);
    }

    private final LockboxServerClient client;
    private final String requestId;
    private final String environment;
    private final Clock clock;
    private final long intervalMs;
    private final Runnable onStopped;
    private final CopyOnWriteArraySet<Listener> listeners = new CopyOnWriteArraySet<>();
    private final Thread poller;

    private volatile Instant expiresAt;
    private volatile long lastConfirmedMillis;
    private volatile String endedReason;
    private volatile SQLException lastFailure;
    private volatile boolean stopped;

    GrantWatch(LockboxServerClient client, String requestId, String environment, Instant expiresAt, Clock clock,
               long intervalMs, Runnable onStopped) {
        this.client = client;
        this.requestId = requestId;
        this.environment = environment;
        this.expiresAt = expiresAt;
        this.clock = clock;
        this.intervalMs = intervalMs;
        this.onStopped = onStopped;
        this.lastConfirmedMillis = clock.millis(); // the server just confirmed it by opening the session
        this.poller = new Thread(this::pollLoop, "lockbox-grant-" + requestId);
        this.poller.setDaemon(true);
    }

    void start() {
        poller.start();
    }

    /** Adds a connection; false if the watch already stopped (the caller takes a new one). */
    synchronized boolean add(Listener listener) {
        // once ended, the poller may already be telling the others: a late listener takes a fresh watch
        if (stopped || endedReason != null) {
            return false;
        }
        listeners.add(listener);
        return true;
    }

    /** A connection closed; the last one stops the poller. */
    public synchronized void remove(Listener listener) {
        listeners.remove(listener);
        if (listeners.isEmpty() && !stopped) {
            stop();
        }
    }

    /**
     * Throws 28000 once the grant has ended (expired locally or revoked on the server), 08006 while
     * its state has not been confirmed for longer than {@code confirmTimeoutMs}.
     */
    public void check(long confirmTimeoutMs) throws SQLException {
        String ended = endedReason;
        if (ended != null) {
            throw SqlState.NO_GRANT.exception(ended);
        }
        Instant now = clock.instant();
        if (!now.isBefore(expiresAt)) {
            end(expiredReason());
            throw SqlState.NO_GRANT.exception(endedReason);
        }
        long unconfirmed = now.toEpochMilli() - lastConfirmedMillis;
        if (unconfirmed > confirmTimeoutMs) {
            SQLException last = lastFailure;
            throw SqlState.SERVER_UNAVAILABLE.exception("Lockbox refuses statements: the state of grant " + requestId
                    + " could not be confirmed with the approval server for " + unconfirmed + " ms (grantConfirmTimeoutMs="
                    + confirmTimeoutMs + ")" + (last != null ? "; last error: " + last.getMessage() : ""), last);
        }
    }

    public String endedReason() {
        return endedReason;
    }

    public Instant expiresAt() {
        return expiresAt;
    }

    private String expiredReason() {
        return "Your Lockbox access to environment '" + environment + "' ended at " + expiresAt
                + " (grant " + requestId + "); file a new access request to continue";
    }

    private void end(String reason) {
        synchronized (this) {
            if (endedReason != null) {
                return;
            }
            endedReason = reason;
        }
        LockSupport.unpark(poller); // the poller tells the connections, off the caller's thread
    }

    private void pollLoop() {
        while (!stopped) {
            if (endedReason == null) {
                poll();
            }
            if (endedReason != null) {
                for (Listener l : listeners) {
                    try {
                        l.grantEnded(endedReason);
                    } catch (RuntimeException e) {
                        // one connection failing to close must not keep the others open
                    }
                }
                synchronized (this) {
                    stop();
                }
                return;
            }
            long untilExpiry = expiresAt.toEpochMilli() - clock.millis();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(Math.max(1, Math.min(intervalMs, untilExpiry))));
        }
    }

    private void poll() {
        if (!clock.instant().isBefore(expiresAt)) {
            end(expiredReason());
            return;
        }
        try {
            GrantStatus status = client.grantStatus(requestId);
            if (status.accessExpiresAt() != null && status.accessExpiresAt().isBefore(expiresAt)) {
                expiresAt = status.accessExpiresAt(); // the server may shorten a window, never lengthen it here
            }
            if (!status.active()) {
                end(reasonFor(status));
                return;
            }
            lastFailure = null;
            lastConfirmedMillis = clock.millis();
        } catch (SQLException e) {
            if (SqlState.NO_GRANT.code().equals(e.getSQLState())) {
                end(e.getMessage());
            } else {
                lastFailure = e;
            }
        } catch (RuntimeException e) {
            lastFailure = SqlState.SERVER_UNAVAILABLE.exception("Grant status check failed: " + e, e);
        }
    }

    private String reasonFor(GrantStatus status) {
        RequestStatus s = status.status();
        if (s == RequestStatus.REVOKED) {
            return "Your Lockbox access to environment '" + environment + "' was revoked (grant " + requestId
                    + "); ask an approver, or file a new access request";
        }
        if (s == RequestStatus.APPROVED || s == RequestStatus.EXPIRED) {
            return expiredReason();
        }
        return "Your Lockbox grant " + requestId + " on environment '" + environment + "' is no longer active (" + s
                + "); file a new access request to continue";
    }

    private void stop() {
        stopped = true;
        LockSupport.unpark(poller);
        onStopped.run();
    }
}

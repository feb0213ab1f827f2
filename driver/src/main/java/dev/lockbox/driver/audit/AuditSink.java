package dev.lockbox.driver.audit;

import dev.lockbox.api.audit.AuditBatch;
import dev.lockbox.api.audit.AuditEventSubmission;
import dev.lockbox.api.audit.AuditOutcome;
import dev.lockbox.driver.SqlState;
import dev.lockbox.driver.config.AuditMode;
import dev.lockbox.driver.server.LockboxServerClient;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Ships the audit events and outcomes of one (server, environment, credentials, audit settings)
 * to {@code POST /api/audit/events}; shared by all connections of the JVM with those settings.
 *
 * <p>Group commit: at most one POST is in flight ({@link #shipping}); events queued meanwhile ride
 * together in the next batch. A sync statement that finds no POST in flight sends the batch on its
 * own thread (no hand-off to the shipper, so sync costs one round trip); otherwise the shipper
 * thread sends it when the current POST returns. The hot path only touches lock-free queues,
 * counters and CAS flags (a synchronized audit path cost p6spy 63% under load). Outcomes ride with the next batch and are
 * flushed at least every {@value #OUTCOME_FLUSH_MS} ms and at close.
 *
 * <p>Linger ({@code async} only): the shipper waits until the oldest queued event is {@code lingerMs}
 * old before sending, so one POST carries the events and outcomes of many statements (the server's
 * cost is mostly per request and per store commit, not per event). It does not wait when
 * {@code min(maxPending, 1000)} events are unacknowledged, when a flush is requested, at close, or
 * while retrying a failed batch; while it lingers, statements do not wake it.
 *
 * <p>{@code sync}: a failed batch fails the statements waiting for it (they do not run).
 * {@code async}: a failed batch is retried with back-off; {@link #admit()} refuses new statements
 * once {@code maxPending} events or an event older than {@code maxLagMs} are unacknowledged.
 */
public final class AuditSink {
    static final long OUTCOME_FLUSH_MS = 200;
    /** The server takes at most 1000 events and 1000 outcomes per batch (docs/audit-log.md). */
    private static final int MAX_BATCH = 1000;
    private static final long NONE = Long.MAX_VALUE;

    /** {@code acked} is what a sync statement waits for; null in async, where nobody waits. */
    private record PendingEvent(AuditEventSubmission event, long queuedAtNanos, CompletableFuture<Void> acked) {
        /** A sync caller gave up waiting (timeout, interrupt): the event must not leave any more. */
        boolean cancelled() {
            return acked != null && acked.isDone();
        }

        void acknowledged() {
            if (acked != null) {
                acked.complete(null);
            }
        }

        void failed(SQLException failure) {
            if (acked != null) {
                acked.completeExceptionally(failure);
            }
        }
    }

    private final LockboxServerClient client;
    private final String environment;
    private final AuditMode mode;
    private final int maxPending;
    private final long maxLagMs;
    private final long ackTimeoutMs;
    /** async: how long the oldest queued event waits for company; 0 in sync mode. */
    private final long lingerNanos;
    /** async: this many unacknowledged events are sent without lingering. */
    private final int lingerBatch;
    private final Runnable onClosed;

    private final ConcurrentLinkedQueue<PendingEvent> events = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<AuditOutcome> outcomes = new ConcurrentLinkedQueue<>();
    /**
     * Ids of the events in {@link #events} (queued, not yet taken into a batch): an outcome of one of
     * them must not leave before its event, which the server refuses ("send the event first"). That
     * happens when more than {@link #MAX_BATCH} events are queued: a batch takes the first thousand,
     * while outcomes of later ones are already waiting.
     */
    private final Set<String> queuedEventIds = ConcurrentHashMap.newKeySet();
    private final AtomicInteger unacknowledged = new AtomicInteger();
    private final AtomicInteger users = new AtomicInteger();
    private final Thread shipper;

    // Written by the shipper thread only; read by admit().
    private volatile long inFlightOldestNanos = NONE;
    private volatile SQLException lastFailure;
    private volatile boolean flushRequested;
    /** Held (CAS) by whichever thread sends a batch: one POST in flight, and it guards the retry state. */
    private final AtomicBoolean shipping = new AtomicBoolean();
    /** Coalesces wake-ups of the shipper: one unpark per idle period, not per statement. */
    private final AtomicBoolean wakeRequested = new AtomicBoolean();
    private volatile boolean closing;
    /** Set before {@link #closing}: until when a failing server is retried at close. */
    private volatile long closingDeadlineNanos;

    // Written only while holding `shipping`: a batch that failed, retried first next time.
    private volatile List<PendingEvent> retryEvents = List.of();
    private volatile List<AuditOutcome> retryOutcomes = List.of();
    private volatile long lastShipMillis;

    /**
     * {@code lingerMs} applies to {@code async} only (a sync statement never waits for company) and
     * must be at most half of {@code maxLagMs}, as {@code DriverConfig} checks.
     */
    public AuditSink(LockboxServerClient client, String environment, AuditMode mode, int maxPending, long maxLagMs,
                     long lingerMs, long ackTimeoutMs, Runnable onClosed) {
        if (lingerMs < 0 || (mode == AuditMode.ASYNC && lingerMs * 2 > maxLagMs)) {
            throw new IllegalArgumentException("lingerMs " + lingerMs + " must be 0..maxLagMs/2 (" + maxLagMs + ")");
        }
        this.client = client;
        this.environment = environment;
        this.mode = mode;
        this.maxPending = maxPending;
        this.maxLagMs = maxLagMs;
        this.ackTimeoutMs = ackTimeoutMs;
        this.lingerNanos = mode == AuditMode.ASYNC ? TimeUnit.MILLISECONDS.toNanos(lingerMs) : 0;
        this.lingerBatch = Math.min(MAX_BATCH, maxPending);
        this.onClosed = onClosed;
        this.shipper = new Thread(this::shipLoop, "lockbox-audit-" + environment);
        this.shipper.setDaemon(true);
        this.lastShipMillis = nowMillis();
        this.shipper.start();
    }

    public AuditMode mode() {
        return mode;
    }

    /** Registers one more connection; false when the sink is already closing (take a new one). */
    boolean retain() {
        while (true) {
            int n = users.get();
            if (n < 0) {
                return false;
            }
            if (users.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /**
     * A connection is done with the sink; the last one flushes what is left and stops the shipper.
     * A server that fails meanwhile is retried (with back-off) for up to the acknowledgement timeout.
     *
     * @return null, or (last connection, async) why events of statements that already ran could not be
     *         stored: the server's audit log misses them, and the caller must say so
     */
    public SQLException release() {
        if (users.decrementAndGet() == 0 && users.compareAndSet(0, -1)) {
            closingDeadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ackTimeoutMs);
            closing = true;
            LockSupport.unpark(shipper); // unconditionally: a lingering shipper ignores wakeShipper()
            try {
                shipper.join(ackTimeoutMs + 1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            onClosed.run();
            int lost = unacknowledged.get();
            if (lost > 0) {
                SQLException why = lastFailure;
                return SqlState.SERVER_UNAVAILABLE.exception("The Lockbox approval server did not acknowledge " + lost
                        + " audit event(s) of statements that already ran (audit=async) within " + ackTimeoutMs
                        + " ms of closing the last connection to " + environment + " with these settings: "
                        + "its audit log misses them." + (why == null ? "" : " Last error: " + why.getMessage()), why);
            }
        }
        return null;
    }

    /**
     * async: refuses a new statement when the audit is too far behind. sync: nothing to check
     * (each statement waits for its own acknowledgement).
     */
    public void admit() throws SQLException {
        if (mode != AuditMode.ASYNC) {
            return;
        }
        int pending = unacknowledged.get();
        if (pending >= maxPending) {
            throw behind(pending + " audit events are not yet acknowledged by the approval server (auditMaxPending="
                    + maxPending + ")");
        }
        long oldest = oldestUnacknowledgedNanos();
        if (oldest != NONE) {
            long lag = (System.nanoTime() - oldest) / 1_000_000;
            if (lag > maxLagMs) {
                throw behind("an audit event has not been acknowledged for " + lag + " ms (auditMaxLagMs=" + maxLagMs + ")");
            }
        }
    }

    /**
     * Queues events for the next batch. sync: blocks until the server acknowledged all of them and
     * throws (SQLState 08006) if they could not be stored, so the statement must not run. async:
     * returns at once.
     */
    public void record(List<AuditEventSubmission> batch) throws SQLException {
        long now = System.nanoTime();
        int after = unacknowledged.addAndGet(batch.size());
        if (mode == AuditMode.SYNC) {
            List<CompletableFuture<Void>> acks = new ArrayList<>(batch.size());
            for (AuditEventSubmission event : batch) {
                CompletableFuture<Void> acked = new CompletableFuture<>();
                acks.add(acked);
                queuedEventIds.add(event.eventId());
                events.add(new PendingEvent(event, now, acked));
            }
            if (shipping.compareAndSet(false, true)) {
                try {
                    shipOnce(); // leader: our events (and any queued with them) leave on this thread
                } finally {
                    shipping.set(false);
                }
                if (!events.isEmpty()) {
                    wakeShipper();
                }
            } else {
                wakeShipper(); // a POST is in flight; the shipper sends ours as soon as it returns
            }
            await(acks.size() == 1 ? acks.get(0) : CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)), acks);
            return;
        }
        for (AuditEventSubmission event : batch) {
            queuedEventIds.add(event.eventId());
            events.add(new PendingEvent(event, now, null));
        }
        if (lingerNanos > 0 && after >= lingerBatch && after - batch.size() < lingerBatch) {
            LockSupport.unpark(shipper); // enough for a batch: a lingering shipper must not wait any longer
        } else {
            wakeShipper();
        }
    }

    private void wakeShipper() {
        if (!wakeRequested.getAndSet(true)) {
            LockSupport.unpark(shipper);
        }
    }

    /** Queues an outcome; it rides with the next batch, at the latest after {@value #OUTCOME_FLUSH_MS} ms. */
    public void outcome(AuditOutcome outcome) {
        outcomes.add(outcome);
    }

    /** Asks the shipper to send queued outcomes now instead of at the next {@value #OUTCOME_FLUSH_MS} ms tick. */
    public void requestFlush() {
        flushRequested = true;
        LockSupport.unpark(shipper); // unconditionally: a lingering shipper ignores wakeShipper()
    }

    /** Number of events queued or in flight and not yet acknowledged. */
    public int unacknowledged() {
        return unacknowledged.get();
    }

    private void await(CompletableFuture<Void> acked, List<CompletableFuture<Void>> each) throws SQLException {
        try {
            acked.get(ackTimeoutMs * 2, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw SqlState.SERVER_UNAVAILABLE.exception("The statement was not executed because its audit event "
                    + "could not be stored (fail-closed): " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            // Cancelled so the shipper drops it if it has not left yet; the statement does not run either way.
            each.forEach(f -> f.cancel(false));
            throw SqlState.SERVER_UNAVAILABLE.exception("The statement was not executed because the approval server "
                    + "did not acknowledge its audit event within " + (ackTimeoutMs * 2) + " ms (fail-closed)");
        } catch (InterruptedException e) {
            each.forEach(f -> f.cancel(false));
            Thread.currentThread().interrupt();
            throw SqlState.SERVER_UNAVAILABLE.exception("Interrupted while waiting for the audit acknowledgement; "
                    + "the statement was not executed");
        }
    }

    private SQLException behind(String why) {
        SQLException last = lastFailure;
        return SqlState.SERVER_UNAVAILABLE.exception("Lockbox refuses new statements until the audit log catches up: "
                + why + (last != null ? "; last error: " + last.getMessage() : ""), last);
    }

    private long oldestUnacknowledgedNanos() {
        long oldest = inFlightOldestNanos; // also covers a failed batch waiting for its retry
        PendingEvent head = events.peek();
        if (head != null && head.queuedAtNanos < oldest) {
            oldest = head.queuedAtNanos;
        }
        return oldest;
    }

    /** Monotonic: lags and flush intervals are durations, not wall-clock instants. */
    private static long nowMillis() {
        return System.nanoTime() / 1_000_000;
    }

    private void shipLoop() {
        long backoffMs = 0;
        while (true) {
            // Cleared before looking for work: a wake-up requested after this point leaves a permit.
            wakeRequested.set(false);
            boolean hasEvents = !events.isEmpty() || !retryEvents.isEmpty();
            boolean outcomesDue = (!outcomes.isEmpty() || !retryOutcomes.isEmpty())
                    && (closing || flushRequested || nowMillis() - lastShipMillis >= OUTCOME_FLUSH_MS);
            if (hasEvents || outcomesDue) {
                long linger = lingerNanosLeft();
                if (linger > 0) {
                    wakeRequested.set(true); // statements need not wake us: we come back when the linger is over
                    LockSupport.parkNanos(linger);
                    continue;
                }
                if (!shipping.compareAndSet(false, true)) {
                    // a sync statement is sending; it wakes us when done if more is queued
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(OUTCOME_FLUSH_MS));
                    continue;
                }
                boolean ok;
                try {
                    ok = shipOnce();
                } finally {
                    shipping.set(false);
                }
                if (ok) {
                    backoffMs = 0;
                } else if (mode == AuditMode.ASYNC || !retryOutcomes.isEmpty()) {
                    backoffMs = Math.min(1000, Math.max(50, backoffMs * 2));
                    if (closing) {
                        long left = closingDeadlineNanos - System.nanoTime();
                        if (left <= 0) {
                            stopAfterFailure();
                            return;
                        }
                        LockSupport.parkNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(backoffMs)));
                        continue;
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoffMs));
                }
                continue;
            }
            if (closing) {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(OUTCOME_FLUSH_MS));
        }
    }

    /**
     * How much longer the shipper should wait for more events before sending (async), or 0 to send
     * now: the oldest queued event waits at most {@code lingerMs}; a full batch, a flush request,
     * close and a retry send at once.
     */
    private long lingerNanosLeft() {
        if (lingerNanos == 0 || closing || flushRequested || !retryEvents.isEmpty()
                || unacknowledged.get() >= lingerBatch) {
            return 0;
        }
        PendingEvent head = events.peek();
        return head == null ? 0 : head.queuedAtNanos + lingerNanos - System.nanoTime();
    }

    /**
     * At close, a server that kept failing until the deadline must not keep the JVM's shipper alive
     * forever; {@link #release()} reports the events left unacknowledged.
     */
    private void stopAfterFailure() {
        for (PendingEvent e : retryEvents) {
            e.failed(lastFailure);
        }
    }

    private boolean shipOnce() {
        List<PendingEvent> batch = new ArrayList<>(retryEvents);
        PendingEvent e;
        while (batch.size() < MAX_BATCH && (e = events.poll()) != null) {
            queuedEventIds.remove(e.event.eventId());
            if (e.cancelled()) {
                unacknowledged.decrementAndGet(); // cancelled by a caller that gave up waiting
                continue;
            }
            batch.add(e);
        }
        List<AuditOutcome> outs = new ArrayList<>(retryOutcomes);
        List<AuditOutcome> early = new ArrayList<>();
        AuditOutcome o;
        while (outs.size() < MAX_BATCH && (o = outcomes.poll()) != null) {
            (queuedEventIds.contains(o.eventId()) ? early : outs).add(o);
        }
        outcomes.addAll(early); // they leave with or after their events, in a later batch
        retryEvents = List.of();
        retryOutcomes = List.of();
        if (batch.isEmpty() && outs.isEmpty()) {
            return true;
        }
        long oldest = NONE;
        List<AuditEventSubmission> submissions = new ArrayList<>(batch.size());
        for (PendingEvent p : batch) {
            submissions.add(p.event);
            oldest = Math.min(oldest, p.queuedAtNanos);
        }
        inFlightOldestNanos = oldest;
        flushRequested = false;
        lastShipMillis = nowMillis();
        try {
            client.submitAudit(new AuditBatch(environment, submissions, outs));
            lastFailure = null;
            unacknowledged.addAndGet(-batch.size());
            inFlightOldestNanos = NONE;
            for (PendingEvent p : batch) {
                p.acknowledged();
            }
            return true;
        } catch (SQLException | RuntimeException ex) {
            SQLException failure = ex instanceof SQLException s ? s
                    : SqlState.SERVER_UNAVAILABLE.exception("Audit shipping failed: " + ex, ex);
            lastFailure = failure;
            if (mode == AuditMode.SYNC) {
                // The waiting statements are refused; their events are not retried.
                unacknowledged.addAndGet(-batch.size());
                inFlightOldestNanos = NONE;
                for (PendingEvent p : batch) {
                    p.failed(failure);
                }
            } else {
                retryEvents = batch;
            }
            // Outcomes are retried in both modes, bounded so a dead server cannot exhaust memory;
            // the server seals events whose outcome never arrives with succeeded = null.
            retryOutcomes = outs.size() > maxPending ? outs.subList(outs.size() - maxPending, outs.size()) : outs;
            return false;
        }
    }
}

package dev.lockbox.server.scheduler;

import dev.lockbox.server.audit.AuditLog;
import dev.lockbox.server.request.RequestWorkflow;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes time-driven changes happen with nobody calling the API: pending requests expire at
 * requestExpiresAt, approved windows close at accessExpiresAt, audit events without an outcome
 * are sealed after the outcome timeout. Runs {@link #tick()} on its own thread; tests call
 * {@code tick()} directly after moving their clock.
 */
public final class LifecycleScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LifecycleScheduler.class);

    private final Clock clock;
    private final RequestWorkflow workflow;
    private final AuditLog auditLog;
    private final ScheduledExecutorService executor;
    private volatile String lastFailure;

    public LifecycleScheduler(Clock clock, RequestWorkflow workflow, AuditLog auditLog) {
        this.clock = clock;
        this.workflow = workflow;
        this.auditLog = auditLog;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lockbox-scheduler");
            t.setDaemon(true);
            return t;
        });
    }

    public void start(Duration interval) {
        executor.scheduleWithFixedDelay(this::tickQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One pass; each step runs even if another fails. Synchronized: the thread and a test may both call it. */
    public synchronized Tick tick() {
        Instant now = clock.instant();
        int expired = step("expire pending requests", () -> workflow.expireDue(now));
        int ended = step("end access windows", () -> workflow.endDueAccess(now));
        int sealed = step("seal overdue audit events", () -> auditLog.sealOverdue(now));
        return new Tick(now, expired, ended, sealed);
    }

    private void tickQuietly() {
        try {
            tick();
        } catch (RuntimeException | Error e) {
            LOG.error("scheduler tick failed", e);
        }
    }

    private int step(String what, java.util.function.IntSupplier step) {
        try {
            return step.getAsInt();
        } catch (RuntimeException e) {
            String failure = what + ": " + e;
            // The same failure every 250 ms would drown the log: report each distinct one once.
            if (!failure.equals(lastFailure)) LOG.error("scheduler could not {}", what, e);
            lastFailure = failure;
            return 0;
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What one pass did. */
    public record Tick(Instant at, int requestsExpired, int accessEnded, int auditEventsSealed) {}
}

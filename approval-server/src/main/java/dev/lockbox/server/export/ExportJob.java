package dev.lockbox.server.export;

import dev.lockbox.api.admin.PolicyMode;
import dev.lockbox.api.export.ExportConfig;
import dev.lockbox.api.export.ExportEnvironmentMode;
import dev.lockbox.exporter.export.AuditExporter;
import dev.lockbox.exporter.export.ExportReport;
import dev.lockbox.exporter.export.ExportSettings;
import dev.lockbox.exporter.lake.Lake;
import dev.lockbox.exporter.lake.LakeWriterSettings;
import dev.lockbox.server.audit.AuditLog;
import dev.lockbox.server.policy.PolicyStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exporter running inside the server: on its own thread, one export pass per configured
 * interval, from the audit log to the configured lake. A pass runs only while export is
 * configured and enabled, the lockbox policy protects some environment, and this replica holds the
 * {@link ExportLease}. Failures are logged and recorded for {@code GET /api/export}; the next pass
 * recovers from the lake. Hadoop (about a second to start) is touched only once export is configured.
 */
public final class ExportJob implements AutoCloseable {
    /** Pause between checks while export is off: how soon a PUT on another replica is noticed. */
    static final Duration IDLE_CHECK = Duration.ofMinutes(1);
    /**
     * Rows reach the lake at most this long after they are sealed (or one interval, if longer): an
     * open file is committed once its age plus the interval would pass it. Shorter means more, smaller files.
     */
    static final Duration FRESHNESS = Duration.ofMinutes(15);
    private static final Logger LOG = LoggerFactory.getLogger(ExportJob.class);

    private final String replica = "replica-" + UUID.randomUUID();
    private final ExportConfigStore configs;
    private final ExportLease lease;
    private final AuditChainHeads heads;
    private final AuditLog auditLog;
    private final PolicyStore policies;
    private final Clock clock;
    private final ScheduledExecutorService executor;
    private final AtomicBoolean leaseLost = new AtomicBoolean();
    private volatile boolean closed;

    // Guarded by this: the running exporter and what it was built for.
    private ExportConfig running;
    private Lake lake;
    private AuditExporter exporter;

    public ExportJob(ExportConfigStore configs, ExportLease lease, AuditChainHeads heads, AuditLog auditLog,
                     PolicyStore policies, Clock clock) {
        this.configs = configs;
        this.lease = lease;
        this.heads = heads;
        this.auditLog = auditLog;
        this.policies = policies;
        this.clock = clock;
        ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "lockbox-export");
            t.setDaemon(true);
            return t;
        });
        // On close, the next scheduled pass is dropped rather than waited for.
        pool.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.executor = pool;
    }

    public void start() {
        executor.execute(this::scheduledPass);
    }

    /** Runs a pass soon on the job's thread (after a configuration change), besides the regular ones. */
    public void wake() {
        if (!closed) executor.execute(this::passQuietly);
    }

    /**
     * One export pass now; tests call it instead of waiting. Empty when no pass ran (export off,
     * policy NONE, another replica holds the lease, the lake could not be opened).
     */
    public synchronized Optional<ExportReport> runPass() {
        if (closed) return Optional.empty();
        Instant now = clock.instant();
        ExportConfig config = configs.load().map(StoredExport::config).orElse(null);
        if (config == null || !config.enabled() || policies.current().mode() == PolicyMode.NONE) {
            stopExporting(true);
            lease.release(replica);
            return Optional.empty();
        }
        if (!lease.acquire(replica, now, leaseTtl(config.interval()))) {
            // Another replica exports; what this one had open is read again by that one.
            stopExporting(false);
            return Optional.empty();
        }
        if (!config.equals(running)) {
            stopExporting(true);
            try {
                open(config);
            } catch (IOException | RuntimeException e) {
                String error = "cannot open the lake at " + config.destination() + ": " + message(e);
                LOG.error("export: {}", error);
                configs.recordRun(replica, config.destination(), clock.instant(), Map.of(), error);
                stopExporting(false);
                return Optional.empty();
            }
        }
        leaseLost.set(false);
        ExportReport report = exporter.exportAvailable();
        if (leaseLost.get()) {
            LOG.warn("export: lease lost during a pass; another replica exports now");
            stopExporting(false);
            return Optional.of(report);
        }
        Map<String, Long> exported = new TreeMap<>();
        for (ExportReport.EnvironmentExport e : report.environments()) exported.put(e.environment(), e.lastCommittedSequence());
        String error = report.succeeded() ? null : report.environments().stream().filter(e -> e.error() != null)
                .map(e -> e.environment() + ": " + e.error()).collect(Collectors.joining("; "));
        configs.recordRun(replica, config.destination(), report.finishedAt(), exported, error);
        return Optional.of(report);
    }

    private void open(ExportConfig config) throws IOException {
        Duration ttl = leaseTtl(config.interval());
        lake = Lake.open(config.destination());
        List<String> envs = config.environmentMode() == ExportEnvironmentMode.SELECTED ? config.environments() : List.of();
        Duration maxAge = FRESHNESS.minus(config.interval());
        ExportSettings settings = ExportSettings.allEnvironments().withEnvironments(envs)
                .withWriter(LakeWriterSettings.DEFAULTS.withMaxFileAge(maxAge.isNegative() ? Duration.ZERO : maxAge));
        AuditLogEventSource source = new AuditLogEventSource(auditLog, heads, () -> {
            boolean held = lease.acquire(replica, clock.instant(), ttl);
            if (!held) leaseLost.set(true);
            return held;
        });
        exporter = new AuditExporter(lake, source, settings, clock);
        running = config;
        LOG.info("export: writing the lake at {} every {}", lake, config.interval());
    }

    /** Ends the running exporter: commits its open files, or with {@code commit = false} drops them. */
    private void stopExporting(boolean commit) {
        if (exporter != null) {
            if (commit) exporter.close();
            else exporter.abort();
        }
        if (lake != null) {
            try {
                lake.close();
            } catch (IOException e) {
                LOG.warn("export: closing the lake at {}: {}", lake, e.getMessage());
            }
        }
        exporter = null;
        lake = null;
        running = null;
    }

    /** Long enough to span a pass and the pause after it; a dead holder's lease passes on after it. */
    static Duration leaseTtl(Duration interval) {
        return interval.multipliedBy(3).plusSeconds(30);
    }

    private void scheduledPass() {
        Duration next = IDLE_CHECK;
        try {
            passQuietly();
            Duration configured = configs.load().filter(s -> s.config().enabled()).map(s -> s.config().interval()).orElse(null);
            if (configured != null) next = configured;
        } catch (RuntimeException e) {
            LOG.error("export: cannot read the export configuration: {}", message(e));
        }
        if (!closed) {
            try {
                executor.schedule(this::scheduledPass, next.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closing
            }
        }
    }

    private void passQuietly() {
        try {
            runPass();
        } catch (RuntimeException | Error e) {
            // Never let the export break the server: log, and the next pass starts from the lake again.
            LOG.error("export pass failed", e);
            synchronized (this) {
                stopExporting(false);
            }
        }
    }

    /** Stops the thread, commits what is open (if this replica still may write) and releases the lease. */
    @Override
    public void close() {
        closed = true;
        executor.shutdown();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) executor.shutdownNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
        synchronized (this) {
            if (exporter == null) return;
            boolean mayWrite;
            try {
                mayWrite = running != null && lease.acquire(replica, clock.instant(), leaseTtl(running.interval()));
            } catch (RuntimeException e) {
                mayWrite = false;
            }
            stopExporting(mayWrite);
            try {
                lease.release(replica);
            } catch (RuntimeException e) {
                LOG.warn("export: could not release the lease: {}", message(e));
            }
        }
    }

    private static String message(Throwable e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}

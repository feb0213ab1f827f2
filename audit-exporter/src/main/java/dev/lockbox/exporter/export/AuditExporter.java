package dev.lockbox.exporter.export;

import dev.lockbox.exporter.feed.AuditEventSource;
import dev.lockbox.exporter.lake.Lake;
import dev.lockbox.exporter.lake.LakeRow;
import dev.lockbox.exporter.lake.LakeWriter;
import dev.lockbox.exporter.lake.PartFile;
import java.io.Closeable;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies sealed audit events from a source to the lake, exactly once per event.
 *
 * <p>Library entry point for the server (call {@link #exportAvailable()} on a schedule and
 * {@link #close()} on shutdown) and the {@code export} command ({@link #exportOnce()} or
 * {@link #follow}). Each environment's writer resumes from the lake's committed file names, so
 * a crash or restart at any moment loses and duplicates nothing: rows not committed are read from
 * the source again. Not thread-safe: one exporter per lake.
 */
public final class AuditExporter implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditExporter.class);
    private static final long PROGRESS_EVERY_ROWS = 100_000;

    private final Lake lake;
    private final AuditEventSource source;
    private final ExportSettings settings;
    private final Clock clock;
    private final Map<String, LakeWriter> writers = new LinkedHashMap<>();

    public AuditExporter(Lake lake, AuditEventSource source, ExportSettings settings, Clock clock) {
        this.lake = lake;
        this.source = source;
        this.settings = settings;
        this.clock = clock;
    }

    /** Exports everything the source has now and commits every file. */
    public ExportReport exportOnce() {
        return pass(true);
    }

    /** Exports everything the source has now; commits files that are full, ended or old enough. */
    public ExportReport exportAvailable() {
        return pass(false);
    }

    /**
     * Exports every {@code interval} while {@code keepGoing} says so, then commits what is open.
     * Failures of one pass are logged and retried at the next.
     */
    public void follow(Duration interval, BooleanSupplier keepGoing) throws InterruptedException {
        while (keepGoing.getAsBoolean()) {
            exportAvailable();
            long deadline = System.nanoTime() + interval.toNanos();
            while (keepGoing.getAsBoolean() && System.nanoTime() < deadline) {
                Thread.sleep(Math.min(200, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            }
        }
        commitAll();
    }

    /** Commits every open file. */
    public void commitAll() {
        for (LakeWriter w : writers.values()) {
            try {
                w.commit().ifPresent(f -> logCommitted(f));
            } catch (IOException e) {
                LOG.error("environment {}: could not commit: {}", w.environment(), e.getMessage());
                abortQuietly(w);
            }
        }
    }

    @Override
    public void close() {
        commitAll();
        writers.clear();
    }

    /**
     * Drops every open file without committing it; the rows are read from the source again by
     * whoever exports next. For a server replica that lost the right to write this lake.
     */
    public void abort() {
        for (LakeWriter w : writers.values()) abortQuietly(w);
        writers.clear();
    }

    private ExportReport pass(boolean commitEverything) {
        Instant started = clock.instant();
        List<String> envs = settings.environments().isEmpty() ? source.environments() : settings.environments();
        List<ExportReport.EnvironmentExport> results = new ArrayList<>();
        for (String env : envs) {
            results.add(exportEnvironment(env, commitEverything));
        }
        return new ExportReport(started, clock.instant(), results);
    }

    private ExportReport.EnvironmentExport exportEnvironment(String env, boolean commitEverything) {
        long rows = 0;
        int files = 0;
        LakeWriter writer = writers.get(env);
        try {
            if (writer == null) {
                writer = LakeWriter.open(lake, env, settings.writer(), clock);
                writers.put(env, writer);
                LOG.info("environment {}: lake holds sequences up to {}", env, writer.lastCommittedSequence());
            }
            try (ReadAheadPages pages = new ReadAheadPages(source, env, writer.lastSequence(), settings.pageSize())) {
                while (true) {
                    ReadAheadPages.Page page = pages.next();
                    if (page.rows().isEmpty()) break;
                    for (LakeRow row : page.rows()) {
                        Optional<PartFile> committed = writer.append(row);
                        if (committed.isPresent()) {
                            files++;
                            logCommitted(committed.get());
                        }
                        if (++rows % PROGRESS_EVERY_ROWS == 0) {
                            LOG.info("environment {}: {} rows read, at sequence {}", env, rows, row.event().sequence());
                        }
                    }
                    Optional<PartFile> due = writer.commitIfDue();
                    if (due.isPresent()) {
                        files++;
                        logCommitted(due.get());
                    }
                }
            }
            Optional<PartFile> last = commitEverything ? writer.commit() : writer.commitIfDue();
            if (last.isPresent()) {
                files++;
                logCommitted(last.get());
            }
            return new ExportReport.EnvironmentExport(env, rows, files, writer.lastCommittedSequence(),
                    writer.pendingRows(), null);
        } catch (IOException | RuntimeException e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            LOG.error("environment {}: export stopped: {}", env, message);
            long committed = 0;
            if (writer != null) {
                abortQuietly(writer);
                committed = writer.lastCommittedSequence();
                // Reopen at the next pass so the position is recovered from the lake again.
                writers.remove(env);
            }
            return new ExportReport.EnvironmentExport(env, rows, files, committed, 0, message);
        }
    }

    private void abortQuietly(LakeWriter w) {
        try {
            w.abort();
        } catch (IOException e) {
            LOG.warn("environment {}: could not remove an unfinished file: {}", w.environment(), e.getMessage());
        }
    }

    private static void logCommitted(PartFile f) {
        LOG.info("committed {} ({} rows)", f.displayName(), f.rowCount());
    }
}

package dev.lockbox.server.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockbox.api.LockboxJson;
import dev.lockbox.api.audit.AuditAck;
import dev.lockbox.api.audit.AuditBatch;
import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.audit.AuditEventPage;
import dev.lockbox.server.http.ApiException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log with an intake journal in front of the store (docs/audit-log.md, "The intake journal"):
 * a batch is decided exactly as {@link JdbcAuditLog} decides it (the same refusals, the same
 * acknowledgement), appended to {@link JournalSegments} and acknowledged; one writer thread then writes
 * the journaled batches to the store in groups, in order. The append is as durable as the H2 store's own
 * commit (one {@code write}, no {@code fsync}) and costs a fraction of it, so a sync driver's statement
 * waits for a file append instead of a commit.
 *
 * <p>Decisions that depend on stored events (a retried or foreign event id, an outcome of an earlier
 * event) see the store overlaid with what acknowledged batches still waiting for the writer leave their
 * events as; decisions are made one batch at a time. Reads ({@link #page}, {@link #forRequest}) and the
 * other writes ({@link #recordSessionEvent}, {@link #sealOverdue}) first wait until everything
 * acknowledged before them is in the store, so nobody reads around the journal. On start, what a
 * previous run left in the journal is written to the store before the first batch is taken.
 *
 * <p>For a single server on its H2 store only: replicas sharing a PostgreSQL store each decide on their
 * own overlay, and PostgreSQL's commit is an {@code fsync}, which the journal does not do.
 */
public final class AuditIntakeJournal implements AuditLog, AutoCloseable {
    /** Events plus outcomes the writer takes into one store transaction at most. */
    static final int MAX_GROUP = 4 * (AuditBatchRules.MAX_EVENTS + AuditBatchRules.MAX_OUTCOMES);
    private static final Logger log = LoggerFactory.getLogger(AuditIntakeJournal.class);

    /**
     * How the journal behaves; {@link #defaults()} is what the server runs with.
     *
     * @param segmentBytes     a new segment file is started once the current one is this long
     * @param maxPendingWeight events plus outcomes acknowledged and not yet written beyond which new
     *                         batches wait for room (then 503)
     * @param linger           how long the writer lets the oldest batch wait so that it writes more at once
     * @param roomWait         how long a batch waits for room before the 503
     * @param readWait         how long a reader (and close) waits for the writer before it fails
     */
    public record Settings(long segmentBytes, int maxPendingWeight, Duration linger, Duration roomWait,
            Duration readWait) {
        public static Settings defaults() {
            return new Settings(64L << 20, 200_000, Duration.ofMillis(20), Duration.ofSeconds(5), Duration.ofSeconds(30));
        }

        public Settings withSegmentBytes(long v) { return new Settings(v, maxPendingWeight, linger, roomWait, readWait); }
        public Settings withMaxPendingWeight(int v) { return new Settings(segmentBytes, v, linger, roomWait, readWait); }
        public Settings withLinger(Duration v) { return new Settings(segmentBytes, maxPendingWeight, v, roomWait, readWait); }
        public Settings withRoomWait(Duration v) { return new Settings(segmentBytes, maxPendingWeight, linger, v, readWait); }
        public Settings withReadWait(Duration v) { return new Settings(segmentBytes, maxPendingWeight, linger, roomWait, v); }
    }

    /** An acknowledged batch the writer has not written yet. */
    private record Pending(long number, JdbcAuditLog.Ingest in, long appendedNanos) {}

    /** What the acknowledged batches up to record {@code number} leave an event as. */
    private record Overlaid(AuditEvent event, long number) {}

    private final JdbcAuditLog store;
    private final JournalSegments segments;
    private final Settings settings;
    private final Path refusedDir;
    private final ObjectMapper json = LockboxJson.newMapper();
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a batch is appended, something is written, a reader waits, or on close. */
    private final Condition changed = lock.newCondition();
    private final Thread writer;

    // Guarded by lock.
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final Map<String, Overlaid> overlay = new HashMap<>();
    private final Map<String, Long> pendingLate = new HashMap<>();
    private int pendingWeight;
    private long appendedThrough;
    private long writtenThrough;
    /** A reader waits for everything through this record: the writer does not linger meanwhile. */
    private long wantedThrough;
    private RuntimeException writeFailure;
    private boolean closed;

    private AuditIntakeJournal(JdbcAuditLog store, JournalSegments segments, Settings settings, Path refusedDir) {
        this.store = store;
        this.segments = segments;
        this.settings = settings;
        this.refusedDir = refusedDir;
        this.writer = new Thread(this::writeLoop, "lockbox-audit-journal-writer");
        this.writer.setDaemon(true);
    }

    /**
     * Opens the journal in {@code dir}, writes what the previous run left there to the store (the start
     * fails if the store refuses to take it; the journal is kept for the next try), and starts the writer.
     */
    public static AuditIntakeJournal open(JdbcAuditLog store, Path dir, Settings settings) {
        Objects.requireNonNull(store, "store");
        JournalSegments segments;
        try {
            segments = JournalSegments.open(dir, settings.segmentBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the audit journal in " + dir + ": " + e.getMessage(), e);
        }
        AuditIntakeJournal journal = new AuditIntakeJournal(store, segments, settings, dir.resolve("refused"));
        try {
            journal.writeRecovered();
        } catch (RuntimeException e) {
            closeQuietly(segments);
            throw e;
        }
        journal.writer.start();
        return journal;
    }

    private void writeRecovered() {
        List<byte[]> records = segments.recovered();
        if (records.isEmpty()) return;
        log.info("audit journal: writing {} batches acknowledged by the previous run to the store", records.size());
        List<JdbcAuditLog.Ingest> batches = new ArrayList<>(records.size());
        for (byte[] r : records) {
            try {
                batches.add(json.readValue(r, JdbcAuditLog.Ingest.class));
            } catch (IOException e) {
                throw new IllegalStateException("audit journal: a record with a good checksum cannot be read ("
                        + e.getMessage() + "); the server will not start over it", e);
            }
        }
        int from = 0;
        while (from < batches.size()) {
            int to = groupEnd(batches, from);
            List<JdbcAuditLog.Ingest> group = batches.subList(from, to);
            List<Object> answers = store.writeJournaled(group);
            for (int k = 0; k < group.size(); k++) {
                Object a = answers.get(k);
                if (a instanceof ApiException refused) keepRefused(records.get(from + k), refused);
                else if (a instanceof RuntimeException failed) {
                    throw new IllegalStateException("audit journal: the store did not take the batches acknowledged"
                            + " by the previous run (" + failed.getMessage() + "); the journal is kept for the next start",
                            failed);
                }
            }
            from = to;
        }
        try {
            segments.discardRecovered();
        } catch (IOException e) {
            throw new UncheckedIOException("audit journal: cannot delete the segments it wrote to the store", e);
        }
        log.info("audit journal: the previous run's {} batches are in the store", records.size());
    }

    private static int groupEnd(List<JdbcAuditLog.Ingest> batches, int from) {
        int to = from;
        int weight = 0;
        while (to < batches.size() && (to == from || weight + batches.get(to).weight() <= MAX_GROUP)) {
            weight += batches.get(to).weight();
            to++;
        }
        return to;
    }

    @Override
    public AuditAck ingest(String caller, AuditBatch batch) {
        JdbcAuditLog.Ingest in = store.prepare(caller, batch);
        byte[] record;
        try {
            record = json.writeValueAsBytes(in);
        } catch (IOException e) {
            throw new UncheckedIOException("audit journal: cannot encode a batch", e);
        }
        lock.lock();
        try {
            awaitRoom(in.weight());
            JdbcAuditLog.Preview preview = store.preview(in, this::pendingEvent, pendingLate::containsKey);
            if (preview.changesNothing()) return preview.ack();
            long number;
            try {
                number = segments.append(record);
            } catch (IOException e) {
                throw new UncheckedIOException("audit journal: append failed: " + e.getMessage(), e);
            }
            pending.addLast(new Pending(number, in, System.nanoTime()));
            pendingWeight += in.weight();
            appendedThrough = number;
            for (Map.Entry<String, AuditEvent> t : preview.touched().entrySet()) {
                overlay.put(t.getKey(), new Overlaid(t.getValue(), number));
            }
            for (String id : preview.lateOutcomes()) pendingLate.put(id, number);
            changed.signalAll();
            return preview.ack();
        } finally {
            lock.unlock();
        }
    }

    /** Called with the lock held. */
    private AuditEvent pendingEvent(String eventId) {
        Overlaid o = overlay.get(eventId);
        return o == null ? null : o.event();
    }

    /** Called with the lock held: waits while the writer is too far behind, then refuses with 503. */
    private void awaitRoom(int weight) {
        long deadline = System.nanoTime() + settings.roomWait().toNanos();
        while (!closed && pendingWeight > 0 && pendingWeight + weight > settings.maxPendingWeight()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                // The store's failure, if any, is in the server's log: not for the client.
                throw new ApiException(503, "unavailable", "the audit store is " + pendingWeight
                        + " events behind the journal; try again");
            }
            awaitNanos(left);
        }
        if (closed) throw new ApiException(503, "unavailable", "the server is stopping");
    }

    private void writeLoop() {
        long backoffMs = 0;
        while (true) {
            List<Pending> group = new ArrayList<>();
            lock.lock();
            try {
                while (!readyToWrite()) {
                    if (closed && pending.isEmpty()) return;
                    long lingerLeft = pending.isEmpty() ? TimeUnit.SECONDS.toNanos(1)
                            : pending.peekFirst().appendedNanos() + settings.linger().toNanos() - System.nanoTime();
                    try {
                        changed.awaitNanos(Math.max(lingerLeft, 1));
                    } catch (InterruptedException e) {
                        log.warn("audit journal: writer interrupted with {} batches not in the store; they stay in"
                                + " the journal for the next start", pending.size());
                        return;
                    }
                }
                int weight = 0;
                for (Pending p : pending) {
                    if (!group.isEmpty() && weight + p.in().weight() > MAX_GROUP) break;
                    group.add(p);
                    weight += p.in().weight();
                }
            } finally {
                lock.unlock();
            }
            RuntimeException failure = write(group);
            if (failure == null) {
                backoffMs = 0;
                continue;
            }
            backoffMs = backoffMs == 0 ? 100 : Math.min(backoffMs * 2, 5_000);
            log.warn("audit journal: writing to the store failed, again in {} ms ({} batches waiting): {}", backoffMs,
                    pendingCount(), failure.toString());
            try {
                Thread.sleep(backoffMs);
            } catch (InterruptedException e) {
                log.warn("audit journal: writer interrupted with {} batches not in the store; they stay in the"
                        + " journal for the next start", pendingCount());
                return;
            }
        }
    }

    /** Called with the lock held. */
    private boolean readyToWrite() {
        if (pending.isEmpty()) return false;
        return closed || wantedThrough > writtenThrough || pendingWeight >= MAX_GROUP
                || System.nanoTime() - pending.peekFirst().appendedNanos() >= settings.linger().toNanos();
    }

    /**
     * Writes a group to the store and forgets the prefix that is in it; returns the store failure that
     * stopped it (those batches are tried again), or null.
     */
    private RuntimeException write(List<Pending> group) {
        List<JdbcAuditLog.Ingest> batches = new ArrayList<>(group.size());
        for (Pending p : group) batches.add(p.in());
        List<Object> answers;
        try {
            answers = store.writeJournaled(batches);
        } catch (RuntimeException e) {
            answers = List.of(e);
        }
        int done = 0;
        RuntimeException failure = null;
        for (Object a : answers) {
            if (a instanceof ApiException refused) {
                keepRefused(group.get(done), refused);
            } else if (a instanceof RuntimeException e) {
                failure = e;
                break;
            }
            done++;
        }
        lock.lock();
        try {
            for (int k = 0; k < done; k++) {
                Pending p = pending.pollFirst();
                pendingWeight -= p.in().weight();
                writtenThrough = p.number();
            }
            if (done > 0) {
                long through = writtenThrough;
                overlay.values().removeIf(o -> o.number() <= through);
                pendingLate.values().removeIf(n -> n <= through);
                try {
                    segments.release(through);
                } catch (IOException e) {
                    log.warn("audit journal: cannot delete a written segment: {}", e.toString());
                }
            }
            writeFailure = failure;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        return failure;
    }

    /**
     * A batch the store refused although it was acknowledged (it cannot happen while the decision of
     * {@link JdbcAuditLog#preview} holds): kept in {@code refused/} next to the journal and logged, never dropped.
     */
    private void keepRefused(Pending p, ApiException refused) {
        try {
            keepRefused(json.writeValueAsBytes(p.in()), refused);
        } catch (IOException e) {
            // It was encoded once already, when it was appended: this cannot happen; the log line keeps its content.
            log.error("audit journal: the store refused acknowledged batch {} ({}) and it cannot be encoded again: {}",
                    p.number(), refused.getMessage(), p.in(), e);
        }
    }

    private void keepRefused(byte[] record, ApiException refused) {
        try {
            Files.createDirectories(refusedDir);
            Path file = refusedDir.resolve("batch-" + Instant.now().toEpochMilli() + "-" + System.nanoTime() + ".json");
            Files.write(file, record);
            log.error("audit journal: the store refused an acknowledged batch ({} {}); kept in {}", refused.status(),
                    refused.getMessage(), file);
        } catch (IOException e) {
            log.error("audit journal: the store refused an acknowledged batch ({}) and it cannot be kept: {}",
                    refused.getMessage(), new String(record, StandardCharsets.UTF_8), e);
        }
    }

    /** Waits until everything acknowledged so far is in the store, or fails after {@code readWait}. */
    void awaitWritten() {
        lock.lock();
        try {
            long target = appendedThrough;
            if (writtenThrough >= target) return;
            wantedThrough = Math.max(wantedThrough, target);
            changed.signalAll();
            long deadline = System.nanoTime() + settings.readWait().toNanos();
            while (writtenThrough < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AuditStoreException("the audit journal could not write " + (target - writtenThrough)
                            + " acknowledged batches to the store within " + settings.readWait()
                            + (writeFailure == null ? "" : ": " + writeFailure.getMessage()), writeFailure);
                }
                awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    private void awaitNanos(long nanos) {
        try {
            changed.awaitNanos(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditStoreException("interrupted while waiting for the audit journal", e);
        }
    }

    private int pendingCount() {
        lock.lock();
        try {
            return pending.size();
        } finally {
            lock.unlock();
        }
    }

    /** Acknowledged batches not yet in the store (for tests and the benchmark). */
    int waiting() {
        return pendingCount();
    }

    @Override
    public void recordSessionEvent(SessionEvent event) {
        awaitWritten();
        store.recordSessionEvent(event);
    }

    @Override
    public AuditEventPage page(String environment, long afterSequence, int limit) {
        awaitWritten();
        return store.page(environment, afterSequence, limit);
    }

    @Override
    public List<AuditEvent> forRequest(String requestId, long afterSequence, int limit) {
        awaitWritten();
        return store.forRequest(requestId, afterSequence, limit);
    }

    @Override
    public int sealOverdue(Instant now) {
        awaitWritten();
        return store.sealOverdue(now);
    }

    /**
     * Stops taking batches and writes what is acknowledged to the store, waiting up to {@code readWait};
     * what the store has not taken by then stays in the journal for the next start.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            writer.join(settings.readWait().toMillis());
            if (writer.isAlive()) {
                writer.interrupt();
                writer.join(1_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int left = pendingCount();
        if (left > 0) log.warn("audit journal: stopped with {} batches not in the store; they are written on the next start", left);
        closeQuietly(segments);
    }

    private static void closeQuietly(JournalSegments s) {
        try {
            s.close();
        } catch (IOException e) {
            log.warn("audit journal: close failed: {}", e.toString());
        }
    }
}

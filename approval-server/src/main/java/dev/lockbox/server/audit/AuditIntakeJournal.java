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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
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

    /**
     * An acknowledged batch the writer has not written yet, and the ids it put in the overlay (none for a
     * previous run's batch: there was no overlay then).
     */
    private record Pending(long number, JdbcAuditLog.Ingest in, long appendedNanos, Collection<String> touched,
            Collection<String> late) {}

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
     * Opens the journal in {@code dir}, starts the writer and waits until what the previous run left there
     * is in the store (the start fails if that takes longer than {@code readWait}; the journal is kept for
     * the next try).
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
        int recovered;
        try {
            recovered = journal.queueRecovered();
        } catch (RuntimeException e) {
            closeQuietly(segments);
            throw e;
        }
        journal.writer.start();
        if (recovered > 0) {
            log.info("audit journal: writing {} batches acknowledged by the previous run to the store", recovered);
            try {
                journal.awaitWritten();
            } catch (RuntimeException e) {
                journal.abandon();
                throw new IllegalStateException("audit journal: the store did not take the " + recovered + " batches"
                        + " acknowledged by the previous run (" + e.getMessage() + "); the journal is kept for the next"
                        + " start", e);
            }
            log.info("audit journal: the previous run's {} batches are in the store", recovered);
        }
        return journal;
    }

    /** Queues the previous run's records for the writer, before it starts; returns how many. */
    private int queueRecovered() {
        List<JournalSegments.Recovered> records = segments.takeRecovered();
        for (JournalSegments.Recovered r : records) {
            JdbcAuditLog.Ingest in;
            try {
                in = json.readValue(r.payload(), JdbcAuditLog.Ingest.class);
            } catch (IOException e) {
                throw new IllegalStateException("audit journal: record " + r.number() + " has a good checksum but cannot"
                        + " be read (" + e.getMessage() + "); the server will not start over it", e);
            }
            pending.addLast(new Pending(r.number(), in, System.nanoTime(), List.of(), List.of()));
            pendingWeight += in.weight();
            appendedThrough = r.number();
        }
        return records.size();
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
            pending.addLast(new Pending(number, in, System.nanoTime(), preview.touched().keySet(), preview.lateOutcomes()));
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
                        stoppedEarly();
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
                    waiting(), failure.toString());
            try {
                Thread.sleep(backoffMs);
            } catch (InterruptedException e) {
                stoppedEarly();
                return;
            }
        }
    }

    /** The writer was interrupted (a close that waited long enough): what is left is for the next start. */
    private void stoppedEarly() {
        log.warn("audit journal: writer interrupted with {} batches not in the store; they stay in the journal for"
                + " the next start", waiting());
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
                // Unless a later batch, still waiting, touched the same event since.
                for (String id : p.touched()) {
                    if (overlay.get(id).number() == p.number()) overlay.remove(id);
                }
                for (String id : p.late()) pendingLate.remove(id, p.number());
            }
            if (done > 0) {
                try {
                    segments.release(writtenThrough);
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
            Files.createDirectories(refusedDir);
            Path file = refusedDir.resolve("batch-" + p.number() + "-" + Instant.now().toEpochMilli() + ".json");
            Files.write(file, json.writeValueAsBytes(p.in()));
            log.error("audit journal: the store refused acknowledged batch {} ({} {}); kept in {}", p.number(),
                    refused.status(), refused.getMessage(), file);
        } catch (IOException e) {
            log.error("audit journal: the store refused acknowledged batch {} ({}) and it cannot be kept: {}", p.number(),
                    refused.getMessage(), p.in(), e);
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

    /** Acknowledged batches not yet in the store. */
    int waiting() {
        lock.lock();
        try {
            return pending.size();
        } finally {
            lock.unlock();
        }
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
        stop(settings.readWait());
    }

    /** Stops without waiting for the writer: a failed start. */
    private void abandon() {
        stop(Duration.ZERO);
    }

    private void stop(Duration writerWait) {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            if (!writerWait.isZero()) writer.join(writerWait.toMillis());
            if (writer.isAlive()) {
                writer.interrupt();
                writer.join(1_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int left = waiting();
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

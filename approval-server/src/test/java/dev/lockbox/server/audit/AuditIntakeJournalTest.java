package dev.lockbox.server.audit;

import static dev.lockbox.server.audit.AuditFixtures.T0;
import static dev.lockbox.server.audit.AuditFixtures.allowed;
import static dev.lockbox.server.audit.AuditFixtures.assertWholeChain;
import static dev.lockbox.server.audit.AuditFixtures.denied;
import static dev.lockbox.server.audit.AuditFixtures.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockbox.api.audit.AuditAck;
import dev.lockbox.api.audit.AuditBatch;
import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.audit.AuditEventSubmission;
import dev.lockbox.api.audit.AuditOutcome;
import dev.lockbox.server.http.ApiException;
import dev.lockbox.server.testing.MutableClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The intake journal's own behaviour: acknowledging before the store has the batch, reading only what
 * the store has after everything acknowledged is written, starting again from the files a previous run
 * left (cut short or damaged), deleting written segments, and refusing when the store is too far behind.
 * {@link AuditIntakeJournalIngestTest} and {@link AuditIntakeJournalRefusalTest} check that it decides
 * every batch as the store does.
 */
class AuditIntakeJournalTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(T0.plus(Duration.ofHours(1)));
    private final AuditFixtures.Grants grants = new AuditFixtures.Grants();
    private final List<AutoCloseable> open = new ArrayList<>();
    private AuditStore store;

    @BeforeEach
    void grants() {
        grants.approve("r1", "sales", "alice", true);
        grants.approve("bob-r", "sales", "bob", true);
        store = store();
    }

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
    }

    private AuditStore store() {
        AuditStore s = AuditStore.inMemory("journal-" + UUID.randomUUID());
        open.add(s);
        return s;
    }

    private AuditIntakeJournal journal(AuditStore on, Path in, AuditIntakeJournal.Settings settings) {
        AuditIntakeJournal j = AuditIntakeJournal.open(new JdbcAuditLog(on.ds, clock, grants, TIMEOUT), in, settings);
        open.add(j);
        return j;
    }

    private AuditIntakeJournal lingering(AuditStore on, Path in) {
        return journal(on, in, AuditFixtures.journalWritingOnlyWhenRead());
    }

    /** Every append starts a new segment file (no record fits in 100 bytes). */
    private static AuditIntakeJournal.Settings oneRecordPerSegment() {
        return AuditFixtures.journalWritingOnlyWhenRead().withSegmentBytes(100);
    }

    private static AuditBatch sales(List<AuditEventSubmission> events, List<AuditOutcome> outcomes) {
        return new AuditBatch("sales", events, outcomes);
    }

    /** What a sync driver sends: each statement's event with the outcome of the one before. */
    private List<AuditEventSubmission> syncSession(AuditIntakeJournal j, int statements) {
        List<AuditEventSubmission> sent = new ArrayList<>();
        for (int i = 0; i < statements; i++) {
            AuditEventSubmission e = allowed("r1", clock.instant(), "SELECT " + i);
            List<AuditOutcome> previous = sent.isEmpty() ? List.of() : List.of(ok(sent.get(sent.size() - 1), i));
            assertThat(j.ingest("alice", sales(List.of(e), previous))).isEqualTo(new AuditAck(1, 0, previous.size()));
            sent.add(e);
        }
        return sent;
    }

    private static List<Path> segments(Path in) throws IOException {
        try (Stream<Path> files = Files.list(in)) {
            return files.filter(f -> f.toString().endsWith(JournalSegments.SUFFIX)).sorted().toList();
        }
    }

    @Test
    void acknowledgesFromTheJournalAndReadersSeeTheStoreOnlyOnceItHasEverything() {
        AuditIntakeJournal j = lingering(store, dir.resolve("j"));
        List<AuditEventSubmission> sent = syncSession(j, 5);
        // Acknowledged, and not in the store yet: the writer lingers until something reads.
        assertThat(j.waiting()).isEqualTo(5);
        assertThat(store.count("audit_event")).isZero();

        // A retry of a batch still in the journal changes nothing and is not appended again.
        AuditAck retry = j.ingest("alice", sales(List.of(sent.get(3)), List.of(ok(sent.get(2), 2))));
        assertThat(retry).isEqualTo(new AuditAck(0, 1, 0)); // as the store answers: that outcome is applied already
        assertThat(j.waiting()).isEqualTo(5);
        // Someone else's event id is refused, whether the event is in the journal or in the store.
        assertThatThrownBy(() -> j.ingest("bob", sales(List.of(), List.of(ok(sent.get(4), 1)))))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(403));
        assertThatThrownBy(() -> j.ingest("alice", sales(List.of(), List.of(ok(allowed("r1", clock.instant(), "x"), 1)))))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getMessage()).contains("send the event first"));
        // An outcome of a DENIED event still in the journal is refused as it is once stored.
        AuditEventSubmission d = denied("r1", clock.instant(), "DROP TABLE t");
        j.ingest("alice", sales(List.of(d), List.of()));
        assertThatThrownBy(() -> j.ingest("alice", sales(List.of(), List.of(ok(d, 0)))))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getMessage()).contains("takes no outcome"));
        assertThat(j.waiting()).isEqualTo(6);

        List<AuditEvent> page = j.page("sales", 0, 100).events();
        assertThat(j.waiting()).isZero();
        assertThat(page).extracting(AuditEvent::eventId).containsExactly(sent.get(0).eventId(), sent.get(1).eventId(),
                sent.get(2).eventId(), sent.get(3).eventId(), d.eventId());
        assertThat(page).allSatisfy(e -> assertThat(e.succeeded()).isNotNull());
        assertWholeChain(page);
        assertThat(store.count("audit_event")).isEqualTo(6); // the fifth waits for its outcome, unsealed
        assertThat(j.forRequest("r1", 0, 100)).hasSize(5);
    }

    @Test
    void writesOnItsOwnAfterLingering() {
        AuditIntakeJournal j = journal(store, dir.resolve("j"),
                AuditIntakeJournal.Settings.defaults().withLinger(Duration.ofMillis(5)));
        syncSession(j, 20);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (store.count("audit_event") < 20 && System.nanoTime() < deadline) Thread.onSpinWait();
        assertThat(store.count("audit_event")).isEqualTo(20);
        assertThat(store.longQuery("SELECT COUNT(*) FROM audit_event WHERE succeeded IS NOT NULL")).isEqualTo(19);
    }

    @Test
    void aNewRunWritesWhatThePreviousOneAcknowledgedAndLeftInItsFiles() throws IOException {
        Path first = dir.resolve("first");
        AuditIntakeJournal j = lingering(store, first);
        List<AuditEventSubmission> sent = syncSession(j, 50);
        // The files as a killed server leaves them (the writer had not written anything yet).
        Path copy = copyOf(first);

        AuditStore other = store();
        AuditIntakeJournal again = lingering(other, copy);
        assertThat(other.count("audit_event")).isEqualTo(50);
        assertThat(again.waiting()).isZero();
        assertThat(segments(copy)).hasSize(1); // the previous run's segments deleted, a new one started
        assertThat(Files.size(segments(copy).get(0))).isZero();
        List<AuditEvent> recovered = again.page("sales", 0, 100).events();
        assertThat(recovered).hasSize(49).extracting(AuditEvent::eventId)
                .isEqualTo(sent.subList(0, 49).stream().map(AuditEventSubmission::eventId).toList());
        assertWholeChain(recovered);

        // The original run writes the same on close; replaying its files into that store again adds nothing.
        Path copyAgain = copyOf(first);
        j.close();
        List<AuditEvent> written = new JdbcAuditLog(store.ds, clock, grants, TIMEOUT).page("sales", 0, 100).events();
        assertThat(written).extracting(AuditEvent::hash).isEqualTo(recovered.stream().map(AuditEvent::hash).toList());
        lingering(store, copyAgain);
        assertThat(store.count("audit_event")).isEqualTo(50);
        assertThat(new JdbcAuditLog(store.ds, clock, grants, TIMEOUT).page("sales", 0, 100).events()).isEqualTo(written);
    }

    @Test
    void aStartWhoseStoreCannotTakeThePreviousRunsBatchesFailsAndKeepsThem() throws IOException {
        AuditIntakeJournal j = lingering(store, dir.resolve("j"));
        syncSession(j, 5);
        Path copy = copyOf(dir.resolve("j"));
        int files = segments(copy).size();

        AuditStore other = store();
        other.execute("ALTER TABLE audit_event RENAME TO audit_event_away"); // the store fails every write
        assertThatThrownBy(() -> journal(other, copy, AuditFixtures.journalWritingOnlyWhenRead()
                .withReadWait(Duration.ofSeconds(1))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("did not take the 5 batches acknowledged by the previous run")
                .hasMessageContaining("kept for the next start");
        assertThat(segments(copy).size()).isGreaterThanOrEqualTo(files);

        other.execute("ALTER TABLE audit_event_away RENAME TO audit_event");
        lingering(other, copy);
        assertThat(other.count("audit_event")).isEqualTo(5);
        assertThat(segments(copy)).hasSize(1);
    }

    @Test
    void aBatchTheStoreRefusesAfterItWasAcknowledgedIsKeptNotDropped() throws IOException {
        Path in = dir.resolve("j");
        AuditIntakeJournal j = lingering(store, in);
        AuditEventSubmission mine = allowed("r1", clock.instant(), "SELECT 1");
        j.ingest("alice", sales(List.of(mine), List.of()));
        // Behind the journal's back, bob's event with the same id reaches the store first.
        AuditEventSubmission b = allowed("bob-r", clock.instant(), "SELECT 'bob'");
        AuditEventSubmission bobs = new AuditEventSubmission(mine.eventId(), b.eventTime(), b.requestId(), b.database(),
                b.dbUser(), b.sessionId(), b.clientHost(), b.applicationName(), b.action(), b.actionClass(), b.objects(),
                b.statement(), b.parameters(), b.decision(), b.denyReason());
        new JdbcAuditLog(store.ds, clock, grants, TIMEOUT).ingest("bob", sales(List.of(bobs), List.of()));

        j.forRequest("r1", 0, 10); // the writer writes alice's batch: the store refuses it (403)
        assertThat(j.waiting()).isZero();
        List<Path> refused;
        try (Stream<Path> files = Files.list(in.resolve("refused"))) {
            refused = files.toList();
        }
        assertThat(refused).singleElement().satisfies(f -> assertThat(Files.readString(f))
                .contains(mine.eventId()).contains("\"caller\":\"alice\"").contains("SELECT 1"));
        assertThat(store.longQuery("SELECT COUNT(*) FROM audit_event WHERE request_id = 'r1'")).isZero();
    }

    @Test
    void aRecordCutShortAtTheEndIsDroppedAndTheOthersWritten() throws IOException {
        Path in = dir.resolve("j");
        AuditIntakeJournal j = lingering(store, in);
        syncSession(j, 3);
        Path copy = copyOf(in);
        Path last = segments(copy).get(segments(copy).size() - 1);
        // The machine stopped in the middle of a fourth append: a header promising 500 bytes, and 20 of them.
        Files.write(last, ByteBuffer.allocate(28).putInt(500).putInt(42).array(), StandardOpenOption.APPEND);

        AuditStore other = store();
        lingering(other, copy);
        assertThat(other.count("audit_event")).isEqualTo(3);
    }

    @Test
    void damageBeforeTheLastSegmentRefusesToStartAndWritesNothing() throws IOException {
        Path in = dir.resolve("j");
        AuditIntakeJournal j = journal(store, in, oneRecordPerSegment());
        syncSession(j, 4);
        Path copy = copyOf(in);
        List<Path> files = segments(copy);
        assertThat(files).hasSize(5); // four records, and the empty segment the next would go to
        byte[] bytes = Files.readAllBytes(files.get(1));
        bytes[bytes.length - 3] ^= 0x20;
        Files.write(files.get(1), bytes);

        AuditStore other = store();
        assertThatThrownBy(() -> lingering(other, copy))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(files.get(1).toString())
                .hasMessageContaining("damaged at byte 0")
                .hasMessageContaining("will not start");
        assertThat(other.count("audit_event")).isZero();
        assertThat(segments(copy)).hasSize(5); // nothing deleted: an operator decides
    }

    @Test
    void writtenSegmentsAreDeleted() throws IOException {
        Path in = dir.resolve("j");
        AuditIntakeJournal j = journal(store, in, oneRecordPerSegment());
        syncSession(j, 10);
        assertThat(segments(in)).hasSize(11);
        j.page("sales", 0, 1);
        assertThat(segments(in)).hasSize(1);
        assertThat(store.count("audit_event")).isEqualTo(10);
    }

    @Test
    void refusesWith503WhenTheStoreIsTooFarBehindAndTakesBatchesAgainOnceItCaughtUp() {
        // Room for two one-event batches (weight 2 each), and 200 ms of waiting for more.
        AuditIntakeJournal j = journal(store, dir.resolve("j"),
                AuditFixtures.journalWritingOnlyWhenRead().withMaxPendingWeight(5).withRoomWait(Duration.ofMillis(200)));
        j.ingest("alice", sales(List.of(allowed("r1", clock.instant(), "SELECT 1")), List.of()));
        j.ingest("alice", sales(List.of(allowed("r1", clock.instant(), "SELECT 2")), List.of()));
        assertThatThrownBy(() -> j.ingest("alice", sales(List.of(allowed("r1", clock.instant(), "SELECT 3")), List.of())))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.getMessage()).contains("4 events behind");
                });
        assertThat(j.waiting()).isEqualTo(2);
        j.forRequest("r1", 0, 10); // a read makes the writer write
        j.ingest("alice", sales(List.of(allowed("r1", clock.instant(), "SELECT 3")), List.of()));
        assertThat(j.waiting()).isEqualTo(1);
    }

    @Test
    void whileTheStoreFailsAcknowledgedBatchesWaitAndReadersAreToldWhy() throws Exception {
        AuditIntakeJournal j = journal(store, dir.resolve("j"),
                AuditFixtures.journalWritingOnlyWhenRead().withReadWait(Duration.ofSeconds(2)));
        syncSession(j, 8);
        store.execute("ALTER TABLE audit_event RENAME TO audit_event_away"); // the store fails every write
        try {
            assertThatThrownBy(() -> j.page("sales", 0, 100))
                    .isInstanceOf(AuditStoreException.class)
                    .hasMessageContaining("could not write 8 acknowledged batches");
            assertThat(j.waiting()).isEqualTo(8);
        } finally {
            store.execute("ALTER TABLE audit_event_away RENAME TO audit_event");
        }
        // The writer tries again (after at most a few seconds of backing off) and loses nothing.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<AuditEvent> page = null;
        while (page == null) {
            try {
                page = j.page("sales", 0, 100).events();
            } catch (AuditStoreException stillBackingOff) {
                if (System.nanoTime() > deadline) throw stillBackingOff;
            }
        }
        assertThat(page).hasSize(7);
        assertThat(store.count("audit_event")).isEqualTo(8);
    }

    @Test
    void closeWritesWhatItAcknowledgedAndThenRefuses() {
        AuditIntakeJournal j = lingering(store, dir.resolve("j"));
        syncSession(j, 7);
        assertThat(store.count("audit_event")).isZero();
        j.close();
        assertThat(store.count("audit_event")).isEqualTo(7);
        assertThatThrownBy(() -> j.ingest("alice", sales(List.of(allowed("r1", clock.instant(), "SELECT 1")), List.of())))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(503));
    }

    @Test
    void sessionEventsAndSealingComeAfterWhatWasAcknowledgedBeforeThem() {
        AuditIntakeJournal j = lingering(store, dir.resolve("j"));
        List<AuditEventSubmission> sent = syncSession(j, 3);
        j.recordSessionEvent(new SessionEvent(AuditEvent.DISCONNECT, clock.instant(), "sales", "alice", "r1", "TICKET-r1",
                "sales", null, null, null, null, null));
        clock.advance(TIMEOUT.plusMinutes(1));
        assertThat(j.sealOverdue(clock.instant())).isEqualTo(1); // the last statement's outcome never came
        List<AuditEvent> page = j.page("sales", 0, 100).events();
        assertThat(page).extracting(AuditEvent::eventId).startsWith(sent.get(0).eventId(), sent.get(1).eventId());
        assertThat(page).extracting(AuditEvent::action).containsExactly("SELECT", "SELECT", "DISCONNECT", "SELECT");
        assertWholeChain(page);
    }

    private Path copyOf(Path in) throws IOException {
        Path copy = dir.resolve("copy-" + UUID.randomUUID());
        Files.createDirectories(copy);
        for (Path f : segments(in)) Files.copy(f, copy.resolve(f.getFileName()));
        return copy;
    }
}

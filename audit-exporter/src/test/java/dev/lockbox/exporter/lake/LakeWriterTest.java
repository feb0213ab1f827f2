package dev.lockbox.exporter.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.audit.AuditHashChain;
import dev.lockbox.exporter.testing.LakeFiles;
import dev.lockbox.exporter.testing.MutableClock;
import dev.lockbox.exporter.testing.SyntheticAuditFeed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LakeWriterTest {
    private static final Instant START = Instant.parse("2026-03-01T23:00:00Z");
    private static SyntheticAuditFeed feed;
    private static List<AuditEvent> events;

    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-02T12:00:00Z"));

    @BeforeAll
    static void events() {
        // 400 events 18 s apart from 23:00 UTC: the day changes at about sequence 200.
        feed = new SyntheticAuditFeed(7, List.of("prod"), 400, START, Duration.ofSeconds(18));
        events = feed.all("prod");
    }

    @AfterAll
    static void release() {
        events = null;
    }

    @Test
    void writesDayPartitionedFilesNamedByTheirSequenceRange() throws IOException {
        try (Lake lake = Lake.open(dir.toString())) {
            LakeWriter w = LakeWriter.open(lake, "prod", LakeWriterSettings.DEFAULTS, clock);
            for (AuditEvent e : events) w.append(e);
            w.commit();
            List<PartFile> files = lake.partFiles("prod");
            assertThat(files).extracting(f -> f.eventDate().toString()).containsExactly("2026-03-01", "2026-03-02");
            assertThat(files.get(0).firstSequence()).isEqualTo(1);
            assertThat(files.get(1).firstSequence()).isEqualTo(files.get(0).lastSequence() + 1);
            assertThat(files.get(1).lastSequence()).isEqualTo(400);
            long boundary = files.get(0).lastSequence();
            assertThat(events.get((int) boundary - 1).eventTime()).isBefore(Instant.parse("2026-03-02T00:00:00Z"));
            assertThat(events.get((int) boundary).eventTime()).isAfterOrEqualTo(Instant.parse("2026-03-02T00:00:00Z"));

            assertThat(LakeFiles.all(dir)).containsExactly(
                    "sql_audit/environment=prod/event_date=2026-03-01/" + PartFile.fileName(1, boundary),
                    "sql_audit/environment=prod/event_date=2026-03-02/" + PartFile.fileName(boundary + 1, 400));
            assertThat(PartFile.fileName(1, boundary)).matches("part-0{19}1-\\d{20}\\.parquet");
        }
    }

    @Test
    void footerCarriesTheChainLinkAndSchemaVersion() throws IOException {
        try (Lake lake = Lake.open(dir.toString())) {
            LakeWriter w = LakeWriter.open(lake, "prod", LakeWriterSettings.DEFAULTS.withMaxRowsPerFile(50), clock);
            for (AuditEvent e : events.subList(0, 120)) w.append(e);
            w.commit();
            PartFile second = lake.partFiles("prod").get(1);
            AuditParquetFormat.Footer footer = AuditParquetFormat.readFooter(lake, second);
            assertThat(footer.rowCount()).isEqualTo(50);
            assertThat(footer.get(AuditParquetSchema.META_FIRST_SEQUENCE)).isEqualTo("51");
            assertThat(footer.get(AuditParquetSchema.META_LAST_SEQUENCE)).isEqualTo("100");
            assertThat(footer.get(AuditParquetSchema.META_FIRST_PREV_HASH)).isEqualTo(events.get(49).hash());
            assertThat(footer.get(AuditParquetSchema.META_LAST_HASH)).isEqualTo(events.get(99).hash());
            assertThat(footer.get(AuditParquetSchema.META_SCHEMA_VERSION)).isEqualTo("1");
            assertThat(footer.get(AuditParquetSchema.META_ENVIRONMENT)).isEqualTo("prod");
        }
    }

    @Test
    void rowsReadBackEqualTheEventsWritten() throws IOException {
        try (Lake lake = Lake.open(dir.toString())) {
            LakeWriter w = LakeWriter.open(lake, "prod", LakeWriterSettings.DEFAULTS, clock);
            for (AuditEvent e : events) w.append(e);
            w.commit();
            List<AuditEvent> back = new ArrayList<>();
            for (PartFile f : lake.partFiles("prod")) AuditParquetFormat.read(lake, f, back::add);
            assertThat(back).isEqualTo(events);
            assertThat(back).allMatch(AuditHashChain::isIntact);
            assertThat(back).anyMatch(e -> e.succeeded() == null && "ALLOWED".equals(e.decision()));
        }
    }

    @Test
    void rollsByRowCount() throws IOException {
        try (Lake lake = Lake.open(dir.toString())) {
            LakeWriter w = LakeWriter.open(lake, "prod", LakeWriterSettings.DEFAULTS.withMaxRowsPerFile(64), clock);
            List<PartFile> committed = new ArrayList<>();
            for (AuditEvent e : events.subList(0, 150)) w.append(e).ifPresent(committed::add);
            assertThat(committed).extracting(PartFile::rowCount).containsExactly(64L, 64L);
            assertThat(w.pendingRows()).isEqualTo(22);
            assertThat(w.lastCommittedSequence()).isEqualTo(128);
        }
    }

    @Test
    void rollsByAgeOnlyOnceTheFileIsOldEnough() throws IOException {
        try (Lake lake = Lake.open(dir.toString())) {
            LakeWriter w = LakeWriter.open(lake, "prod",
                    LakeWriterSettings.DEFAULTS.withMaxFileAge(Duration.ofMinutes(5)), clock);
            for (AuditEvent e : events.subList(0, 10)) w.append(e);
            clock.advance(Duration.ofMinutes(4).plusSeconds(59));
            assertThat(w.commitIfDue()).isEmpty();
            assertThat(lake.partFiles("prod")).isEmpty();
            clock.advance(Duration.ofSeconds(1));
            Optional<PartFile> due = w.commitIfDue();
            assertThat(due).get().extracting(PartFile::lastSequence).isEqualTo(10L);
            assertThat(w.commitIfDue()).isEmpty();
        }
    }

    @Test
    void refusesEventsThatDoNotContinueTheChainAndWritesNothing() throws IOException {
        try (Lake lake = Lake.open(dir.toString())) {
            LakeWriter w = LakeWriter.open(lake, "prod", LakeWriterSettings.DEFAULTS, clock);
            AuditEvent notFromGenesis = events.get(0).sealed(1, "a".repeat(64), events.get(0).hash());
            assertThatThrownBy(() -> w.append(notFromGenesis))
                    .isInstanceOf(LakeConflictException.class).hasMessageContaining("prev_hash");
            w.append(events.get(0));
            assertThatThrownBy(() -> w.append(events.get(2)))
                    .isInstanceOf(LakeConflictException.class).hasMessageContaining("expected sequence 2 next, got 3");
            assertThatThrownBy(() -> w.append(events.get(0)))
                    .isInstanceOf(LakeConflictException.class).hasMessageContaining("expected sequence 2 next, got 1");
            AuditEvent forged = events.get(1).sealed(2, "f".repeat(64), events.get(1).hash());
            assertThatThrownBy(() -> w.append(forged))
                    .isInstanceOf(LakeConflictException.class).hasMessageContaining("prev_hash");
            AuditEvent foreign = new SyntheticAuditFeed(7, List.of("test"), 2, START, Duration.ofSeconds(1))
                    .all("test").get(1);
            assertThatThrownBy(() -> w.append(foreign))
                    .isInstanceOf(LakeConflictException.class).hasMessageContaining("environment 'test'");
            w.abort();
            assertThat(w.lastSequence()).isZero();
            assertThat(LakeFiles.parquet(dir)).isEmpty();
        }
    }

    @Test
    void reopeningResumesAfterTheLastCommittedFileAndCleansLeftovers() throws IOException {
        try (Lake lake = Lake.open(dir.toString())) {
            LakeWriter first = LakeWriter.open(lake, "prod", LakeWriterSettings.DEFAULTS, clock);
            for (AuditEvent e : events.subList(0, 30)) first.append(e);
            first.commit();
            for (AuditEvent e : events.subList(30, 45)) first.append(e);
            // A crash now leaves an unfinished file in _tmp.
            assertThat(LakeFiles.all(dir)).anyMatch(n -> n.startsWith("sql_audit/_tmp/prod/") && n.endsWith(".inprogress"));

            LakeWriter second = LakeWriter.open(lake, "prod", LakeWriterSettings.DEFAULTS, clock);
            assertThat(second.lastSequence()).isEqualTo(30);
            assertThat(LakeFiles.all(dir)).noneMatch(n -> n.contains("_tmp/prod/"));
            assertThatThrownBy(() -> second.append(events.get(29))).isInstanceOf(LakeConflictException.class);
            for (AuditEvent e : events.subList(30, 60)) second.append(e);
            second.commit();
            assertThat(lake.partFiles("prod")).extracting(PartFile::firstSequence, PartFile::lastSequence)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, 30L),
                            org.assertj.core.groups.Tuple.tuple(31L, 60L));
        }
    }

    @Test
    void neverOverwritesACommittedFile() throws IOException {
        try (Lake lake = Lake.open(dir.toString())) {
            LakeWriter a = LakeWriter.open(lake, "prod", LakeWriterSettings.DEFAULTS, clock);
            LakeWriter b = LakeWriter.open(lake, "prod", LakeWriterSettings.DEFAULTS, clock);
            for (AuditEvent e : events.subList(0, 20)) a.append(e);
            for (AuditEvent e : events.subList(0, 20)) b.append(e);
            a.commit();
            Path committed = dir.resolve("sql_audit/environment=prod/event_date=2026-03-01/" + PartFile.fileName(1, 20));
            byte[] before = Files.readAllBytes(committed);
            assertThatThrownBy(b::commit).isInstanceOf(LakeConflictException.class)
                    .hasMessageContaining("already exists");
            assertThat(Files.readAllBytes(committed)).isEqualTo(before);
            assertThat(b.lastSequence()).as("b is back at its committed position").isZero();
            assertThat(LakeFiles.all(dir)).containsExactly(
                    "sql_audit/environment=prod/event_date=2026-03-01/" + PartFile.fileName(1, 20));
        }
    }

    @Test
    void objectStoreModeUploadsStraightToTheFinalName() throws IOException {
        try (Lake lake = Lake.open(dir.toUri(), Lake.CommitMode.UPLOAD_TO_FINAL)) {
            LakeWriter w = LakeWriter.open(lake, "prod", LakeWriterSettings.DEFAULTS.withMaxRowsPerFile(100), clock);
            for (AuditEvent e : events) w.append(e);
            w.commit();
            List<AuditEvent> back = new ArrayList<>();
            for (PartFile f : lake.partFiles("prod")) AuditParquetFormat.read(lake, f, back::add);
            assertThat(back).isEqualTo(events);
            assertThat(LakeFiles.all(dir)).allMatch(n -> n.endsWith(".parquet") && !n.contains("_tmp"));
        }
    }

    @Test
    void objectStoreModeCleansTheStagingFilesOfAKilledWriter() throws IOException {
        try (Lake lake = Lake.open(dir.toUri(), Lake.CommitMode.UPLOAD_TO_FINAL)) {
            LakeWriter killed = LakeWriter.open(lake, "prod", LakeWriterSettings.DEFAULTS, clock);
            for (AuditEvent e : events.subList(0, 10)) killed.append(e);
            Path staging = lake.stagingDir("prod");
            assertThat(LakeFiles.all(staging)).hasSize(1);
            LakeWriter next = LakeWriter.open(lake, "prod", LakeWriterSettings.DEFAULTS, clock);
            assertThat(LakeFiles.all(staging)).isEmpty();
            assertThat(next.lastSequence()).isZero();
            assertThat(LakeFiles.all(dir)).isEmpty();
        }
    }

    @Test
    void localLakeHasNoChecksumSideFiles() throws IOException {
        try (Lake lake = Lake.open("file:" + dir)) {
            LakeWriter w = LakeWriter.open(lake, "prod", LakeWriterSettings.DEFAULTS, clock);
            for (AuditEvent e : events.subList(0, 5)) w.append(e);
            w.commit();
        }
        assertThat(LakeFiles.all(dir)).hasSize(1).noneMatch(n -> n.endsWith(".crc") || n.contains("/."));
    }

    @Test
    void lakeLocationsResolveToAbsoluteUris() {
        assertThat(Lake.toUri("data/lake").getScheme()).isEqualTo("file");
        assertThat(Lake.toUri("data/lake").getPath()).endsWith("/data/lake");
        assertThat(Lake.toUri("s3a://bucket/lake").toString()).isEqualTo("s3a://bucket/lake");
        assertThat(Lake.commitModeFor(Lake.toUri("s3a://bucket/lake"))).isEqualTo(Lake.CommitMode.UPLOAD_TO_FINAL);
        assertThat(Lake.commitModeFor(Lake.toUri("hdfs://nn/lake"))).isEqualTo(Lake.CommitMode.RENAME_FROM_TMP);
        assertThatThrownBy(() -> Lake.toUri(" ")).isInstanceOf(IllegalArgumentException.class);
    }
}

package dev.lockbox.exporter.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.audit.AuditEventPage;
import dev.lockbox.exporter.feed.AuditEventSource;
import dev.lockbox.exporter.feed.AuditFeedException;
import dev.lockbox.exporter.lake.Lake;
import dev.lockbox.exporter.lake.LakeWriterSettings;
import dev.lockbox.exporter.lake.PartFile;
import dev.lockbox.exporter.testing.LakeFiles;
import dev.lockbox.exporter.testing.ListAuditFeed;
import dev.lockbox.exporter.testing.MutableClock;
import dev.lockbox.exporter.testing.SyntheticAuditFeed;
import dev.lockbox.exporter.verify.LakeVerifier;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditExporterTest {
    private static final SyntheticAuditFeed FEED = new SyntheticAuditFeed(13, List.of("prod", "dev"), 500,
            Instant.parse("2026-08-01T08:00:00Z"), Duration.ofSeconds(3));
    @TempDir
    Path dir;
    private Lake lake;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-08-01T12:00:00Z"));
    private final ExportSettings settings = ExportSettings.allEnvironments().withPageSize(64)
            .withWriter(LakeWriterSettings.DEFAULTS.withMaxRowsPerFile(200).withMaxFileAge(Duration.ofMinutes(10)));

    @BeforeEach
    void open() throws IOException {
        lake = Lake.open(dir.toString());
    }

    @AfterEach
    void close() throws IOException {
        lake.close();
    }

    /** The first {@code n} events of each environment, as a feed that has not seen the rest yet. */
    private static ListAuditFeed firstEvents(int n) {
        return new ListAuditFeed(Map.of("prod", FEED.all("prod").subList(0, n), "dev", FEED.all("dev").subList(0, n)));
    }

    @Test
    void aLaterRunContinuesTheChainWhereTheLakeEnds() throws IOException {
        ExportReport first = new AuditExporter(lake, firstEvents(230), settings, clock).exportOnce();
        assertThat(first.succeeded()).isTrue();
        assertThat(first.environments()).extracting(ExportReport.EnvironmentExport::lastCommittedSequence)
                .containsExactly(230L, 230L);
        ExportReport second = new AuditExporter(lake, FEED, settings, clock).exportOnce();
        assertThat(second.rowsRead()).isEqualTo(2 * 270);
        assertThat(lake.partFiles("prod")).extracting(PartFile::firstSequence).containsExactly(1L, 201L, 231L, 431L);
        assertThat(new LakeVerifier(lake).verify(List.of()).intact()).isTrue();
    }

    @Test
    void scheduledPassesCommitOnlyFullOrOldFiles() throws IOException {
        AuditExporter exporter = new AuditExporter(lake, firstEvents(250), settings, clock);
        ExportReport pass = exporter.exportAvailable();
        assertThat(pass.environments()).allSatisfy(e -> {
            assertThat(e.lastCommittedSequence()).isEqualTo(200);
            assertThat(e.pendingRows()).isEqualTo(50);
        });
        clock.advance(Duration.ofMinutes(9));
        assertThat(exporter.exportAvailable().filesCommitted()).isZero();
        clock.advance(Duration.ofMinutes(1));
        ExportReport later = exporter.exportAvailable();
        assertThat(later.filesCommitted()).isEqualTo(2);
        assertThat(later.environments()).allMatch(e -> e.lastCommittedSequence() == 250 && e.pendingRows() == 0);
    }

    @Test
    void followExportsUntilToldToStopThenCommits() throws Exception {
        AuditExporter exporter = new AuditExporter(lake, FEED, settings, clock);
        AtomicInteger checks = new AtomicInteger();
        exporter.follow(Duration.ofMillis(1), () -> checks.incrementAndGet() < 4);
        assertThat(lake.partFiles("prod")).last().extracting(PartFile::lastSequence).isEqualTo(500L);
        assertThat(lake.partFiles("dev")).last().extracting(PartFile::lastSequence).isEqualTo(500L);
        assertThat(LakeFiles.all(dir)).allMatch(n -> n.endsWith(".parquet"));
    }

    @Test
    void aFeedFailureLosesNothingAndTheNextPassCompletes() throws IOException {
        AtomicInteger pages = new AtomicInteger();
        AuditEventSource flaky = new AuditEventSource() {
            @Override
            public AuditEventPage page(String environment, long afterSequence, int limit) {
                if (environment.equals("prod") && pages.incrementAndGet() == 5) {
                    throw new AuditFeedException("audit feed answered 503 for environment prod");
                }
                return FEED.page(environment, afterSequence, limit);
            }

            @Override
            public List<String> environments() {
                return FEED.environments();
            }
        };
        AuditExporter exporter = new AuditExporter(lake, flaky, settings, clock);
        ExportReport failed = exporter.exportOnce();
        assertThat(failed.succeeded()).isFalse();
        assertThat(failed.environments().get(0).error()).contains("503");
        assertThat(failed.environments().get(0).lastCommittedSequence()).isEqualTo(200);
        assertThat(failed.environments().get(1).error()).isNull();
        assertThat(LakeFiles.all(dir)).allMatch(n -> n.endsWith(".parquet"));

        ExportReport retry = exporter.exportOnce();
        assertThat(retry.succeeded()).isTrue();
        assertThat(retry.environments().get(0).rowsRead()).isEqualTo(300);
        assertThat(new LakeVerifier(lake).verify(List.of()).intact()).isTrue();
    }

    @Test
    void aFeedThatSkipsASequenceIsRefused() throws IOException {
        List<AuditEvent> withGap = new ArrayList<>(FEED.all("prod").subList(0, 100));
        withGap.remove(60);
        AuditEventSource gappy = new AuditEventSource() {
            @Override
            public AuditEventPage page(String environment, long afterSequence, int limit) {
                List<AuditEvent> rest = withGap.stream().filter(e -> e.sequence() > afterSequence).limit(limit).toList();
                return new AuditEventPage(environment, rest, rest.isEmpty() ? afterSequence : rest.get(rest.size() - 1).sequence());
            }

            @Override
            public List<String> environments() {
                return List.of("prod");
            }
        };
        ExportReport report = new AuditExporter(lake, gappy, settings, clock).exportOnce();
        assertThat(report.succeeded()).isFalse();
        assertThat(report.environments().get(0).error()).contains("expected sequence 61 next, got 62");
        assertThat(LakeFiles.all(dir)).isEmpty();
    }
}

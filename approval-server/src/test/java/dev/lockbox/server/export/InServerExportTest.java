package dev.lockbox.server.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lockbox.api.admin.LockboxPolicy;
import dev.lockbox.api.admin.PolicyMode;
import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.export.EnvironmentExportStatus;
import dev.lockbox.api.export.ExportConfig;
import dev.lockbox.api.export.ExportEnvironmentMode;
import dev.lockbox.api.export.ExportState;
import dev.lockbox.api.export.ExportStatus;
import dev.lockbox.exporter.export.ExportReport;
import dev.lockbox.exporter.lake.Lake;
import dev.lockbox.exporter.verify.LakeVerifier;
import dev.lockbox.exporter.verify.VerificationReport;
import dev.lockbox.server.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exporter running inside the server, end to end: configured with {@code PUT /api/export},
 * fed by the real audit endpoints, read back with DuckDB and {@code LakeVerifier}.
 */
class InServerExportTest {
    @TempDir
    Path dir;
    MutableClock clock = new MutableClock(AuditedServer.T0);
    AuditedServer s;
    Path lake;

    @BeforeEach
    void start() {
        s = new AuditedServer(dir.resolve("data"), clock).withCast();
        lake = dir.resolve("lake");
    }

    @AfterEach
    void stop() {
        if (s != null) s.close(); // null when the PostgreSQL run is skipped
    }

    ExportStatus status(String user) {
        return s.api.get(s.token(user), "/api/export").expect(200).as(ExportStatus.class);
    }

    ExportStatus configure(ExportConfig config) {
        return s.api.put(s.token("admin"), "/api/export", config).expect(200).as(ExportStatus.class);
    }

    ExportConfig allTo(Path lake) {
        // PT10M: the export thread's own passes (one right after the PUT) never come between a test's steps.
        return new ExportConfig(uri(lake), ExportEnvironmentMode.ALL, List.of(), Duration.ofMinutes(10), true);
    }

    static String uri(Path p) {
        String u = p.toUri().toString();
        return u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
    }

    @Test
    void exportsWhatTheDriverRecordedExactlyOnceIntoALakeDuckDbReads() throws Exception {
        ExportStatus before = status("dave");
        assertThat(before.configured()).isFalse();
        assertThat(before.state()).isEqualTo(ExportState.DISABLED);
        assertThat(before.reason()).contains("not configured");
        assertThat(before.config().destination()).isEqualTo(uri(dir.resolve("data").toAbsolutePath().resolve("lake")));
        assertThat(before.config().interval()).isEqualTo(Duration.ofMinutes(1));

        ExportStatus configured = configure(allTo(lake));
        assertThat(configured.configured()).isTrue();
        assertThat(configured.state()).isEqualTo(ExportState.CONNECTED);
        assertThat(configured.reason()).isNull();
        assertThat(configured.config().destination()).isEqualTo(uri(lake));

        String prod = s.approvedGrant("prod-db");
        String dev = s.approvedGrant("dev-db");
        List<String> sent = new ArrayList<>();
        sent.addAll(s.session("prod-db", prod, List.of("SELECT * FROM orders WHERE id = ?",
                "UPDATE orders SET status = 'SHIPPED' WHERE id = ?", "DROP TABLE orders")));
        sent.addAll(s.session("dev-db", dev, List.of("DELETE FROM orders WHERE id = ?")));
        List<AuditEvent> prodEvents = s.feed("prod-db");
        List<AuditEvent> devEvents = s.feed("dev-db");
        assertThat(prodEvents).hasSize(5); // CONNECT, 3 statements, DISCONNECT
        assertThat(devEvents).hasSize(3);
        assertThat(s.api.get(s.token("dave"), "/api/audit/environments").expect(200).body())
                .isEqualTo("[\"dev-db\",\"prod-db\"]");

        // The first pass writes the rows into open files: nothing is committed yet, so all of it is lag.
        ExportReport first = s.server.exportNow().orElseThrow();
        assertThat(first.succeeded()).isTrue();
        ExportStatus pending = status("dave");
        assertThat(pending.lag()).isEqualTo(8);
        assertThat(pending.lastRunAt()).isEqualTo(clock.instant());
        assertThat(partFiles()).isEmpty();

        // A file is committed once it would be older than 15 minutes at the next pass (here: 5 minutes).
        clock.advance(Duration.ofMinutes(4));
        s.server.exportNow().orElseThrow();
        assertThat(partFiles()).isEmpty();
        clock.advance(Duration.ofMinutes(1));
        s.server.exportNow().orElseThrow();
        assertThat(partFiles()).hasSize(2);
        ExportStatus done = status("admin");
        assertThat(done.state()).isEqualTo(ExportState.CONNECTED);
        assertThat(done.lastError()).isNull();
        assertThat(done.lag()).isZero();
        assertThat(done.lastRunAt()).isEqualTo(clock.instant());
        assertThat(done.environments()).containsExactly(
                new EnvironmentExportStatus("dev-db", 3, 3, 0),
                new EnvironmentExportStatus("prod-db", 5, 5, 0));

        List<AuditEvent> expected = Stream.concat(devEvents.stream(), prodEvents.stream()).toList();
        assertLakeHolds(expected);
        assertThat(expected).extracting(AuditEvent::statement).containsAll(sent);

        VerificationReport verified;
        try (Lake l = Lake.open(lake.toString())) {
            verified = new LakeVerifier(l).verify(List.of());
        }
        assertThat(verified.intact()).as(String.valueOf(verified.firstProblem())).isTrue();
        assertThat(verified.environments()).extracting(VerificationReport.EnvironmentResult::lastHash)
                .containsExactly(devEvents.get(2).hash(), prodEvents.get(4).hash());

        // More activity, another pass: appended after the committed files, nothing twice.
        s.session("prod-db", prod, List.of("SELECT count(*) FROM orders"));
        s.server.exportNow().orElseThrow();
        clock.advance(Duration.ofMinutes(5));
        s.server.exportNow().orElseThrow();
        s.server.exportNow().orElseThrow(); // a pass with nothing new changes nothing
        assertThat(partFiles()).hasSize(3);
        List<AuditEvent> prodNow = s.feed("prod-db");
        assertThat(prodNow).hasSize(8);
        assertLakeHolds(Stream.concat(devEvents.stream(), prodNow.stream()).toList());
        assertThat(status("dave").lag()).isZero();
        try (Lake l = Lake.open(lake.toString())) {
            assertThat(new LakeVerifier(l).verify(List.of()).intact()).isTrue();
        }
    }

    /** DuckDB reads the lake as analysts do and finds exactly these events. */
    private void assertLakeHolds(List<AuditEvent> expected) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT environment, CAST(event_date AS VARCHAR), sequence, event_id, "
                     + "epoch_us(event_time), action, statement, decision, succeeded, lower(hex(hash)) FROM read_parquet('"
                     + lake + "/sql_audit/**/*.parquet', hive_partitioning=true) ORDER BY environment, sequence")) {
            List<String> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(String.join("|", rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10)));
            }
            List<String> want = expected.stream().map(e -> String.join("|", e.environment(),
                    LocalDate.ofInstant(e.eventTime(), ZoneOffset.UTC).toString(), String.valueOf(e.sequence()), e.eventId(),
                    String.valueOf(ChronoUnit.MICROS.between(java.time.Instant.EPOCH, e.eventTime())), e.action(),
                    e.statement(), e.decision(), String.valueOf(e.succeeded()), e.hash())).toList();
            assertThat(rows).containsExactlyElementsOf(want);
        }
    }

    private List<Path> partFiles() throws Exception {
        if (!Files.exists(lake.resolve("sql_audit"))) return List.of();
        try (Stream<Path> files = Files.walk(lake.resolve("sql_audit"))) {
            return files.filter(p -> p.toString().endsWith(".parquet")).toList();
        }
    }

    @Test
    void policyNoneDisablesTheExportAndSaysWhy() throws Exception {
        configure(allTo(lake));
        // The PUT wakes the export thread for a pass; let it run before there are events, or it may
        // open a file with them that switching the policy to NONE then commits (stopping commits what is open).
        await().atMost(Duration.ofSeconds(30)).until(() -> status("dave").lastRunAt() != null);
        String prod = s.approvedGrant("prod-db");
        s.session("prod-db", prod, List.of("SELECT 1 FROM orders"));
        s.api.put(s.token("admin"), "/api/policy", new LockboxPolicy(PolicyMode.NONE, List.of())).expect(200);

        ExportStatus off = status("dave");
        assertThat(off.state()).isEqualTo(ExportState.DISABLED);
        assertThat(off.reason()).contains("policy protects no environment");
        assertThat(off.lag()).isEqualTo(3);
        clock.advance(Duration.ofMinutes(30));
        assertThat(s.server.exportNow()).isEmpty();
        assertThat(partFiles()).isEmpty();

        s.api.put(s.token("admin"), "/api/policy", new LockboxPolicy(PolicyMode.SELECTED, List.of("prod-db"))).expect(200);
        assertThat(status("dave").state()).isEqualTo(ExportState.CONNECTED);
        s.server.exportNow().orElseThrow();
        clock.advance(Duration.ofMinutes(15));
        s.server.exportNow().orElseThrow();
        assertThat(partFiles()).hasSize(1);
        assertThat(status("dave").lag()).isZero();

        ExportConfig off2 = new ExportConfig(uri(lake), ExportEnvironmentMode.ALL, List.of(), Duration.ofMinutes(10), false);
        ExportStatus switchedOff = configure(off2);
        assertThat(switchedOff.state()).isEqualTo(ExportState.DISABLED);
        assertThat(switchedOff.reason()).contains("switched off");
        assertThat(s.server.exportNow()).isEmpty();
    }

    @Test
    void selectedEnvironmentsOnlyAreExported() throws Exception {
        configure(new ExportConfig(lake.toString(), ExportEnvironmentMode.SELECTED, List.of("dev-db"), Duration.ofMinutes(20), true));
        // As above: the PUT's own pass must be over before there are events, or it may commit a file of its own.
        await().atMost(Duration.ofSeconds(30)).until(() -> status("dave").lastRunAt() != null);
        s.session("prod-db", s.approvedGrant("prod-db"), List.of("SELECT 1 FROM orders"));
        s.session("dev-db", s.approvedGrant("dev-db"), List.of("SELECT 2 FROM orders"));
        // An interval over 15 minutes commits at every pass.
        s.server.exportNow().orElseThrow();
        assertThat(partFiles()).hasSize(1);
        ExportStatus st = status("dave");
        assertThat(st.config().destination()).isEqualTo(uri(lake)); // an absolute path becomes a file: URI
        assertThat(st.environments()).containsExactly(new EnvironmentExportStatus("dev-db", 3, 3, 0));
        assertLakeHolds(s.feed("dev-db"));
    }

    @Test
    void aLakeThatCannotBeWrittenIsReportedAndTheServerKeepsServing() throws Exception {
        Files.writeString(dir.resolve("not-a-dir"), "x");
        configure(allTo(dir.resolve("not-a-dir")));
        s.session("prod-db", s.approvedGrant("prod-db"), List.of("SELECT 1 FROM orders"));
        clock.advance(Duration.ofMinutes(15));
        Optional<ExportReport> r = s.server.exportNow();
        ExportStatus st = status("dave");
        assertThat(st.state()).isEqualTo(ExportState.CONNECTED);
        assertThat(st.lastError()).isNotBlank();
        assertThat(st.lag()).isEqualTo(3);
        assertThat(r.map(ExportReport::succeeded).orElse(false)).isFalse();
        s.api.get(s.token("dave"), "/healthz").expect(200);

        // Fixed by pointing the export elsewhere: the new lake starts from sequence 1, the error is gone.
        configure(allTo(lake));
        assertThat(status("dave").lastError()).isNull();
        s.server.exportNow().orElseThrow();
        clock.advance(Duration.ofMinutes(15));
        s.server.exportNow().orElseThrow();
        assertThat(status("dave").lag()).isZero();
        assertLakeHolds(s.feed("prod-db"));
    }
}

package dev.lockbox.exporter.lake;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.audit.AuditHashChain;
import dev.lockbox.exporter.export.AuditExporter;
import dev.lockbox.exporter.export.ExportReport;
import dev.lockbox.exporter.export.ExportSettings;
import dev.lockbox.exporter.testing.LakeFiles;
import dev.lockbox.exporter.testing.SyntheticAuditFeed;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DuckDB, as an analyst runs it, reads back exactly what the exporter was given. */
class DuckDbInteropTest {
    @TempDir
    static Path dir;
    private static SyntheticAuditFeed feed;
    private static String glob;

    @BeforeAll
    static void export() throws Exception {
        // Two environments, 2,500 events each, 30 s apart from 20:00 UTC: two days, several files.
        feed = new SyntheticAuditFeed(11, List.of("prod", "staging-eu"), 2_500,
                Instant.parse("2026-06-30T20:00:00Z"), Duration.ofSeconds(30));
        try (Lake lake = Lake.open(dir.resolve("lake").toString())) {
            AuditExporter exporter = new AuditExporter(lake, feed,
                    ExportSettings.allEnvironments().withPageSize(700)
                            .withWriter(LakeWriterSettings.DEFAULTS.withMaxRowsPerFile(1_000)),
                    Clock.systemUTC());
            ExportReport report = exporter.exportOnce();
            assertThat(report.succeeded()).isTrue();
            assertThat(report.rowsRead()).isEqualTo(5_000);
        }
        glob = dir.resolve("lake") + "/sql_audit/**/*.parquet";
    }

    private static Connection duckdb() throws Exception {
        return DriverManager.getConnection("jdbc:duckdb:");
    }

    private static String readParquet() {
        return "read_parquet('" + glob.replace("'", "''") + "', hive_partitioning=true)";
    }

    @Test
    void theAnalystQueryReturnsEveryRowWithPartitionColumns() throws Exception {
        try (Connection c = duckdb(); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT environment, count(*), min(sequence), max(sequence),"
                    + " count(DISTINCT sequence) FROM " + readParquet() + " GROUP BY environment ORDER BY environment");
            for (String env : List.of("prod", "staging-eu")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo(env);
                assertThat(rs.getLong(2)).isEqualTo(2_500);
                assertThat(rs.getLong(3)).isEqualTo(1);
                assertThat(rs.getLong(4)).isEqualTo(2_500);
                assertThat(rs.getLong(5)).isEqualTo(2_500);
            }
            assertThat(rs.next()).isFalse();
        }
    }

    @Test
    void everyValueMatchesTheSourceToTheMicrosecond() throws Exception {
        Map<String, Map<Long, AuditEvent>> source = new HashMap<>();
        for (String env : feed.environments()) {
            Map<Long, AuditEvent> bySeq = new HashMap<>();
            for (AuditEvent e : feed.all(env)) bySeq.put(e.sequence(), e);
            source.put(env, bySeq);
        }
        int rows = 0;
        try (Connection c = duckdb(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT environment, CAST(event_date AS VARCHAR), sequence, event_id,"
                     + " epoch_us(event_time), engineer, request_id, action, action_class, objects, statement,"
                     + " parameters, decision, deny_reason, succeeded, rows_affected, error, duration_ms, lower(hex(prev_hash)),"
                     + " lower(hex(hash)), database, db_user, session_id, client_host, application_name, support_ticket_id FROM "
                     + readParquet())) {
            while (rs.next()) {
                rows++;
                AuditEvent e = source.get(rs.getString(1)).get(rs.getLong(3));
                assertThat(rs.getString(2)).isEqualTo(LocalDate.ofInstant(e.eventTime(), ZoneOffset.UTC).toString());
                assertThat(rs.getString(4)).isEqualTo(e.eventId());
                assertThat(rs.getLong(5)).isEqualTo(AuditHashChain.epochMicros(e.eventTime()));
                assertThat(rs.getString(6)).isEqualTo(e.engineer());
                assertThat(rs.getString(7)).isEqualTo(e.requestId());
                assertThat(rs.getString(8)).isEqualTo(e.action());
                assertThat(rs.getString(9)).isEqualTo(e.actionClass());
                Array objects = rs.getArray(10);
                assertThat(objects == null ? null : Arrays.stream((Object[]) objects.getArray()).map(String::valueOf).toList())
                        .isEqualTo(e.objects());
                assertThat(rs.getString(11)).isEqualTo(e.statement());
                assertThat(rs.getString(12)).isEqualTo(e.parameters());
                assertThat(rs.getString(13)).isEqualTo(e.decision());
                assertThat(rs.getString(14)).isEqualTo(e.denyReason());
                assertThat((Boolean) rs.getObject(15)).isEqualTo(e.succeeded());
                assertThat((Long) rs.getObject(16)).isEqualTo(e.rowsAffected());
                assertThat(rs.getString(17)).isEqualTo(e.error());
                assertThat((Double) rs.getObject(18)).isEqualTo(e.durationMs());
                assertThat(rs.getString(19)).isEqualTo(e.prevHash());
                assertThat(rs.getString(20)).isEqualTo(e.hash());
                assertThat(rs.getString(21)).isEqualTo(e.database());
                assertThat(rs.getString(22)).isEqualTo(e.dbUser());
                assertThat(rs.getString(23)).isEqualTo(e.sessionId());
                assertThat(rs.getString(24)).isEqualTo(e.clientHost());
                assertThat(rs.getString(25)).isEqualTo(e.applicationName());
                assertThat(rs.getString(26)).isEqualTo(e.supportTicketId());
            }
        }
        assertThat(rows).isEqualTo(5_000);
    }

    @Test
    void columnTypesAreWhatAnalystsExpect() throws Exception {
        Map<String, String> types = new HashMap<>();
        try (Connection c = duckdb(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("DESCRIBE SELECT * FROM " + readParquet())) {
            while (rs.next()) types.put(rs.getString("column_name"), rs.getString("column_type"));
        }
        assertThat(types).containsEntry("event_time", "TIMESTAMP WITH TIME ZONE")
                .containsEntry("objects", "VARCHAR[]")
                .containsEntry("action", "VARCHAR")
                .containsEntry("action_class", "VARCHAR")
                .containsEntry("decision", "VARCHAR")
                .containsEntry("hash", "BLOB")
                .containsEntry("prev_hash", "BLOB")
                .containsEntry("succeeded", "BOOLEAN")
                .containsEntry("rows_affected", "BIGINT")
                .containsEntry("duration_ms", "DOUBLE")
                .containsEntry("sequence", "BIGINT")
                .containsEntry("environment", "VARCHAR")
                .containsEntry("event_date", "DATE");
        // 24 file columns + the two partition columns, each once.
        assertThat(types).hasSize(26);
    }

    @Test
    void nullOutcomesStayNullAndPartitionPruningWorks() throws Exception {
        long nullOutcomes = feed.all("prod").stream()
                .filter(e -> e.succeeded() == null && "ALLOWED".equals(e.decision())).count();
        assertThat(nullOutcomes).isPositive();
        List<Long> counts = new ArrayList<>();
        try (Connection c = duckdb(); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT count(*) FROM " + readParquet()
                    + " WHERE environment = 'prod' AND succeeded IS NULL AND decision = 'ALLOWED'");
            rs.next();
            counts.add(rs.getLong(1));
            rs = s.executeQuery("SELECT count(*) FROM " + readParquet()
                    + " WHERE environment = 'prod' AND event_date = DATE '2026-07-01'");
            rs.next();
            counts.add(rs.getLong(1));
        }
        long onJuly1 = feed.all("prod").stream()
                .filter(e -> LocalDate.ofInstant(e.eventTime(), ZoneOffset.UTC).equals(LocalDate.parse("2026-07-01")))
                .count();
        assertThat(counts).containsExactly(nullOutcomes, onJuly1);
    }

    @Test
    void theQueriesInDocsLakeMdRunAsWritten() throws Exception {
        try (Connection c = duckdb(); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT environment, event_date, count(*) AS statements,"
                    + " count(*) FILTER (WHERE decision = 'DENIED') AS denied FROM " + readParquet()
                    + " GROUP BY ALL ORDER BY ALL");
            long total = 0;
            while (rs.next()) total += rs.getLong("statements");
            assertThat(total).isEqualTo(5_000);

            rs = s.executeQuery("SELECT environment, sequence FROM (SELECT environment, sequence, prev_hash,"
                    + " lag(hash) OVER (PARTITION BY environment ORDER BY sequence) AS previous FROM " + readParquet()
                    + ") WHERE sequence > 1 AND prev_hash IS DISTINCT FROM previous");
            assertThat(rs.next()).as("broken links").isFalse();

            // A hash as the API and the console show it (hex) finds its row.
            AuditEvent shown = feed.all("prod").get(42);
            rs = s.executeQuery("SELECT sequence FROM " + readParquet() + " WHERE environment = 'prod' AND hash = unhex('"
                    + shown.hash() + "')");
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isEqualTo(shown.sequence());
            assertThat(rs.next()).isFalse();

            String request = feed.all("prod").get(100).requestId();
            rs = s.executeQuery("SELECT event_time, action, objects, statement, rows_affected, succeeded FROM "
                    + readParquet() + " WHERE environment = 'prod' AND request_id = '" + request
                    + "' AND action_class = 'WRITE' ORDER BY sequence");
            int writes = 0;
            while (rs.next()) writes++;
            assertThat(writes).isEqualTo(feed.all("prod").stream()
                    .filter(e -> request.equals(e.requestId()) && "WRITE".equals(e.actionClass())).count());
        }
    }

    @Test
    void theLakeHoldsOnlyParquetFiles() throws Exception {
        assertThat(LakeFiles.all(dir.resolve("lake"))).isNotEmpty()
                .allMatch(n -> n.matches("sql_audit/environment=[a-z0-9-]+/event_date=\\d{4}-\\d{2}-\\d{2}/part-\\d{20}-\\d{20}\\.parquet"));
    }
}

package dev.lockbox.server.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.export.ExportConfig;
import dev.lockbox.api.export.ExportEnvironmentMode;
import dev.lockbox.api.export.ExportStatus;
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
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two server replicas on one store: only the lease holder writes the lake; when it stops renewing
 * (a dead replica) the other takes over after the lease expires, and every event lands once.
 */
class ExportLeaseReplicaTest {
    @TempDir
    Path dir;

    @Test
    void oneReplicaExportsAtATimeAndTheOtherTakesOverAnExpiredLease() throws Exception {
        MutableClock clock = new MutableClock(AuditedServer.T0);
        Path lake = dir.resolve("lake");
        try (AuditedServer a = new AuditedServer(dir.resolve("a"), clock).withCast();
             AuditedServer b = new AuditedServer(a.replicaConfig(dir.resolve("b")), clock)) {
            b.tokens.putAll(a.tokens);
            a.api.put(a.token("admin"), "/api/export", new ExportConfig(InServerExportTest.uri(lake),
                    ExportEnvironmentMode.ALL, List.of(), Duration.ofMinutes(10), true)).expect(200);
            String grant = a.approvedGrant("prod-db");
            a.session("prod-db", grant, List.of("SELECT 1 FROM orders"));

            // Whoever passes first holds the lease (the PUT woke a's thread); the other stands by.
            AuditedServer holder = a.server.exportNow().isPresent() ? a : b;
            AuditedServer other = holder == a ? b : a;
            assertThat(holder.server.exportNow()).isPresent();
            assertThat(other.server.exportNow()).isEmpty();
            clock.advance(Duration.ofMinutes(5));
            assertThat(holder.server.exportNow()).isPresent();
            assertThat(other.server.exportNow()).isEmpty();
            assertThat(b.api.get(b.token("dave"), "/api/export").expect(200).as(ExportStatus.class).lag()).isZero();

            // The holder opens a file with new rows, then stops renewing (as if it died) past the lease.
            b.session("prod-db", grant, List.of("UPDATE orders SET x = 1", "DELETE FROM orders WHERE x = 1"));
            assertThat(holder.server.exportNow()).isPresent();
            clock.advance(ExportJob.leaseTtl(Duration.ofMinutes(10)).plusSeconds(1));
            assertThat(other.server.exportNow()).isPresent();      // takes over, re-reads the uncommitted rows
            assertThat(holder.server.exportNow()).isEmpty();        // lost the lease: drops its open file
            clock.advance(Duration.ofMinutes(5));
            assertThat(other.server.exportNow()).isPresent();

            List<AuditEvent> events = a.feed("prod-db");
            assertThat(events).hasSize(7);
            assertThat(a.api.get(a.token("dave"), "/api/export").expect(200).as(ExportStatus.class).lag()).isZero();
            try (Lake l = Lake.open(lake.toString())) {
                VerificationReport report = new LakeVerifier(l).verify(List.of());
                assertThat(report.intact()).as(String.valueOf(report.firstProblem())).isTrue();
                assertThat(report.environments().get(0).lastSequence()).isEqualTo(7);
            }
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT sequence FROM read_parquet('" + lake
                         + "/sql_audit/**/*.parquet', hive_partitioning=true) ORDER BY sequence")) {
                List<Long> seqs = new ArrayList<>();
                while (rs.next()) seqs.add(rs.getLong(1));
                assertThat(seqs).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
            }
            try (Stream<Path> tmp = Files.walk(lake.resolve("sql_audit"))) {
                assertThat(tmp.filter(p -> p.toString().endsWith(".inprogress")).toList()).isEmpty();
            }
        }
    }
}

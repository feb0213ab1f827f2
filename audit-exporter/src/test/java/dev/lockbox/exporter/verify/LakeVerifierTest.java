package dev.lockbox.exporter.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.audit.AuditHashChain;
import dev.lockbox.exporter.export.AuditExporter;
import dev.lockbox.exporter.export.ExportSettings;
import dev.lockbox.exporter.lake.AuditParquetFormat;
import dev.lockbox.exporter.lake.AuditParquetSchema;
import dev.lockbox.exporter.lake.Lake;
import dev.lockbox.exporter.lake.LakeWriterSettings;
import dev.lockbox.exporter.lake.PartFile;
import dev.lockbox.exporter.testing.SyntheticAuditFeed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Verify passes on an honest lake and names the first bad file and sequence for each tampering. */
class LakeVerifierTest {
    @TempDir
    Path dir;
    private Path lakeDir;
    private List<Path> prodFiles;

    @BeforeEach
    void exportHonestLake() throws IOException {
        lakeDir = dir.resolve("lake");
        SyntheticAuditFeed feed = new SyntheticAuditFeed(3, List.of("prod", "dev"), 300,
                Instant.parse("2026-05-10T10:00:00Z"), Duration.ofSeconds(5));
        try (Lake lake = Lake.open(lakeDir.toString())) {
            new AuditExporter(lake, feed, ExportSettings.allEnvironments()
                    .withWriter(LakeWriterSettings.DEFAULTS.withMaxRowsPerFile(100)), Clock.systemUTC()).exportOnce();
            prodFiles = lake.partFiles("prod").stream().map(f -> Path.of(f.path().toUri())).toList();
        }
        assertThat(prodFiles).hasSize(3);
    }

    private VerificationReport verify() throws IOException {
        try (Lake lake = Lake.open(lakeDir.toString())) {
            return new LakeVerifier(lake).verify(List.of());
        }
    }

    private ChainProblem problem() throws IOException {
        VerificationReport report = verify();
        assertThat(report.intact()).isFalse();
        assertThat(report.environments()).filteredOn(e -> e.environment().equals("dev"))
                .allMatch(e -> e.problem() == null);
        return report.firstProblem().orElseThrow();
    }

    @Test
    void anHonestLakeIsIntact() throws IOException {
        VerificationReport report = verify();
        assertThat(report.intact()).isTrue();
        assertThat(report.environments()).extracting(VerificationReport.EnvironmentResult::environment,
                        VerificationReport.EnvironmentResult::rows, VerificationReport.EnvironmentResult::files)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("dev", 300L, 3),
                        org.assertj.core.groups.Tuple.tuple("prod", 300L, 3));
    }

    @Test
    void aDeletedRowIsFound() throws IOException {
        rewrite(prodFiles.get(1), rows -> {
            rows.remove(41); // sequence 142
            return rows;
        });
        ChainProblem p = problem();
        assertThat(p.file()).endsWith(prodFiles.get(1).getFileName().toString());
        assertThat(p.sequence()).isEqualTo(101);
        assertThat(p.message()).contains("99 rows");
    }

    @Test
    void aDeletedRowIsFoundEvenWhenTheFileIsRenamedToMatch() throws IOException {
        // The attacker deletes the file's last row and renames it so the name agrees with its rows.
        Path file = prodFiles.get(1);
        rewrite(file, rows -> {
            rows.remove(rows.size() - 1);
            return rows;
        });
        Files.move(file, file.resolveSibling(PartFile.fileName(101, 199)));
        ChainProblem p = problem();
        assertThat(p.file()).endsWith(prodFiles.get(2).getFileName().toString());
        assertThat(p.sequence()).isEqualTo(200);
        assertThat(p.message()).startsWith("gap: sequences 200..200 are missing");
    }

    @Test
    void aChangedValueIsFound() throws IOException {
        rewrite(prodFiles.get(1), rows -> {
            rows.get(10).put("statement", "SELECT 1");
            return rows;
        });
        ChainProblem p = problem();
        assertThat(p.file()).endsWith(prodFiles.get(1).getFileName().toString());
        assertThat(p.sequence()).isEqualTo(111);
        assertThat(p.message()).contains("altered row");
    }

    @Test
    void aChangedValueWithARecomputedHashBreaksTheNextLink() throws IOException {
        rewrite(prodFiles.get(1), rows -> {
            GenericRecord r = rows.get(10);
            r.put("succeeded", Boolean.TRUE.equals(r.get("succeeded")) ? Boolean.FALSE : Boolean.TRUE);
            AuditEvent changed = AuditParquetSchema.fromRecord(r, "prod");
            r.put("hash", AuditParquetSchema.sha256(AuditHashChain.hash(changed.prevHash(), changed)));
            return rows;
        });
        ChainProblem p = problem();
        assertThat(p.sequence()).isEqualTo(112);
        assertThat(p.message()).contains("prev_hash does not link");
    }

    @Test
    void reorderedRowsAreFound() throws IOException {
        rewrite(prodFiles.get(0), rows -> {
            Collections.swap(rows, 5, 6);
            return rows;
        });
        ChainProblem p = problem();
        assertThat(p.sequence()).isEqualTo(6);
        assertThat(p.message()).contains("missing row: expected sequence 6, found 7");
    }

    @Test
    void aRemovedFileIsFound() throws IOException {
        Files.delete(prodFiles.get(1));
        ChainProblem p = problem();
        assertThat(p.file()).endsWith(prodFiles.get(2).getFileName().toString());
        assertThat(p.sequence()).isEqualTo(101);
        assertThat(p.message()).startsWith("gap: sequences 101..200");
    }

    @Test
    void aDuplicatedFileIsFound() throws IOException {
        Path copyDir = lakeDir.resolve("sql_audit/environment=prod/event_date=2026-05-11");
        Files.createDirectories(copyDir);
        Files.copy(prodFiles.get(1), copyDir.resolve(prodFiles.get(1).getFileName()));
        ChainProblem p = problem();
        assertThat(p.sequence()).isEqualTo(101);
        assertThat(p.message()).startsWith("duplicate");
    }

    @Test
    void aCopyUnderAnotherNameIsFound() throws IOException {
        Files.copy(prodFiles.get(1), prodFiles.get(1).resolveSibling("copy.parquet"));
        ChainProblem p = problem();
        assertThat(p.file()).endsWith("copy.parquet");
        assertThat(p.message()).contains("not a part file");
    }

    @Test
    void anEnvironmentWithoutFilesIsNotIntact() throws IOException {
        try (Lake lake = Lake.open(lakeDir.toString())) {
            VerificationReport report = new LakeVerifier(lake).verify(List.of("nope"));
            assertThat(report.intact()).isFalse();
            assertThat(report.firstProblem().orElseThrow().message()).contains("no exported files");
        }
    }

    /** Rewrites a lake file with the library an attacker would use, keeping its name. */
    private static void rewrite(Path file, UnaryOperator<List<GenericRecord>> change) throws IOException {
        List<GenericRecord> rows = new ArrayList<>();
        try (Lake local = Lake.open(file.getParent().toString())) {
            PartFile asFound = new PartFile("prod", java.time.LocalDate.EPOCH, 1, 1,
                    new org.apache.hadoop.fs.Path(file.toUri()));
            AuditParquetFormat.read(local, asFound, e -> rows.add(AuditParquetSchema.toRecord(e)));
        }
        List<GenericRecord> changed = change.apply(rows);
        Configuration conf = new Configuration();
        conf.setBoolean("parquet.avro.write-old-list-structure", false);
        try (ParquetWriter<GenericRecord> w = AuditParquetFormat.newWriter(new LocalOutputFile(file), conf, "prod",
                CompressionCodecName.ZSTD)) {
            for (GenericRecord r : changed) w.write(r);
        }
    }
}

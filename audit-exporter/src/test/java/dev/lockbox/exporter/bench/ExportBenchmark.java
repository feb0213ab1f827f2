package dev.lockbox.exporter.bench;

import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.exporter.export.AuditExporter;
import dev.lockbox.exporter.export.ExportReport;
import dev.lockbox.exporter.export.ExportSettings;
import dev.lockbox.exporter.feed.AuditEventSource;
import dev.lockbox.exporter.lake.AuditParquetSchema;
import dev.lockbox.exporter.lake.Lake;
import dev.lockbox.exporter.lake.LakeWriterSettings;
import dev.lockbox.exporter.testing.ListAuditFeed;
import dev.lockbox.exporter.testing.SyntheticAuditFeed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;

/**
 * Exporter throughput and size beside a bare parquet-avro writer of the same rows, in one JVM.
 *
 * <pre>
 * mvn -B -o -pl audit-exporter test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.lockbox.exporter.bench.ExportBenchmark [-Dexec.args="1000000 3"]
 * </pre>
 *
 * The events (sealed, chained, the {@link SyntheticAuditFeed} mix) are generated in memory first, so
 * both sides measure writing only: the exporter end to end (pages from a source, chain and sequence
 * checks, day partitions, temp file, fsync, rename) and the bare writer (the same Avro records into
 * one file, no checks). Rounds alternate; the best round of each is reported.
 */
public final class ExportBenchmark {
    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path work = Files.createTempDirectory("lockbox-export-bench");
        try {
            System.out.printf("generating %,d sealed events...%n", events);
            // 1M events over ~12 days: about a dozen day partitions, like a busy environment.
            SyntheticAuditFeed feed = new SyntheticAuditFeed(42, List.of("prod"), events,
                    Instant.parse("2026-03-01T00:00:00Z"), Duration.ofMillis(1000));
            List<AuditEvent> all = feed.all("prod");
            compare(all, new ListAuditFeed(Map.of("prod", all)), rounds, work);
        } finally {
            deleteTree(work);
        }
    }

    /**
     * Rounds alternating the bare writer (the {@code all} rows into one file) and the exporter end to
     * end (pages from {@code source}, one environment, into a lake under {@code work}); prints each
     * round, the column sizes of the last one and a RESULT line with the best round of each side.
     */
    public static void compare(List<AuditEvent> all, AuditEventSource source, int rounds, Path work) throws IOException {
        int events = all.size();
        double bestBare = 0;
        double bestExport = 0;
        long bareBytes = 0;
        long exportBytes = 0;
        for (int round = 0; round <= rounds; round++) {
            Path bareFile = work.resolve("bare-" + round + ".parquet");
            CpuTime bareCpu = CpuTime.now();
            long t0 = System.nanoTime();
            bare(all, bareFile);
            double bareRate = (double) events / ((System.nanoTime() - t0) / 1e9);
            bareCpu = bareCpu.since();
            long bareSize = Files.size(bareFile);

            Path lakeDir = work.resolve("lake-" + round);
            CpuTime exportCpu = CpuTime.now();
            long t1 = System.nanoTime();
            try (Lake lake = Lake.open(lakeDir.toString())) {
                AuditExporter exporter = new AuditExporter(lake, source,
                        ExportSettings.allEnvironments().withPageSize(5_000), Clock.systemUTC());
                ExportReport report = exporter.exportOnce();
                if (!report.succeeded() || report.rowsRead() != events) {
                    throw new IllegalStateException("export failed: " + report);
                }
            }
            double exportRate = (double) events / ((System.nanoTime() - t1) / 1e9);
            exportCpu = exportCpu.since();
            long exportSize = sizeOfParquet(lakeDir);
            String label = round == 0 ? "warm-up" : "round " + round;
            System.out.printf("%-8s bare %,9.0f rows/s %6.1f B/row | exporter %,9.0f rows/s %6.1f B/row | ratio %.2f"
                            + " | CPU s bare %s, exporter %s%n",
                    label, bareRate, (double) bareSize / events, exportRate, (double) exportSize / events,
                    exportRate / bareRate, bareCpu, exportCpu);
            if (round > 0) {
                if (bareRate > bestBare) bestBare = bareRate;
                if (exportRate > bestExport) bestExport = exportRate;
                bareBytes = bareSize;
                exportBytes = exportSize;
            }
            if (round == rounds) {
                printColumnSizes("bare file", bareFile, events);
                try (Stream<Path> files = Files.walk(lakeDir)) {
                    Path first = files.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow();
                    printColumnSizes("lake file " + first.getFileName(), first,
                            new ParquetFileReaderCount(first).rows());
                }
            }
            Files.delete(bareFile);
            deleteTree(lakeDir);
        }
        System.out.printf("%nRESULT events=%d codec=ZSTD bare=%,.0f rows/s (%.1f B/row) exporter=%,.0f rows/s"
                        + " (%.1f B/row) ratio=%.2f%n", events, bestBare, (double) bareBytes / events,
                bestExport, (double) exportBytes / events, bestExport / bestBare);
    }

    /**
     * CPU seconds of the whole process and of this (the writing) thread: on a shared machine the
     * rates move with the load, the CPU a side needs much less. The exporter's other busy thread
     * is its read-ahead thread, so process minus this thread is reading plus GC and JIT.
     */
    private record CpuTime(double process, double thread) {
        static CpuTime now() {
            var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            return new CpuTime(os.getProcessCpuTime() / 1e9,
                    java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() / 1e9);
        }

        CpuTime since() {
            CpuTime now = now();
            return new CpuTime(now.process - process, now.thread - thread);
        }

        @Override
        public String toString() {
            return String.format("%.1f (writing thread %.1f)", process, thread);
        }
    }

    private static void bare(List<AuditEvent> events, Path file) throws IOException {
        Configuration conf = new Configuration();
        conf.setBoolean("parquet.avro.write-old-list-structure", false);
        try (ParquetWriter<GenericRecord> w = AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(file))
                .withSchema(AuditParquetSchema.SCHEMA)
                .withConf(conf)
                .withCompressionCodec(LakeWriterSettings.DEFAULTS.compression())
                .build()) {
            for (AuditEvent e : events) w.write(AuditParquetSchema.toRecord(e));
        }
    }

    /** Compressed bytes per row of each column, to see where the bytes go. */
    private record ParquetFileReaderCount(Path file) {
        long rows() throws IOException {
            try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
                return reader.getRecordCount();
            }
        }
    }

    private static void printColumnSizes(String label, Path file, long rows) throws IOException {
        Map<String, Long> sizes = new java.util.LinkedHashMap<>();
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
            for (BlockMetaData block : reader.getFooter().getBlocks()) {
                for (ColumnChunkMetaData col : block.getColumns()) {
                    sizes.merge(col.getPath().toDotString(), col.getTotalSize(), Long::sum);
                }
            }
        }
        System.out.println("bytes/row by column (" + label + "):");
        sizes.forEach((col, size) -> System.out.printf("  %-22s %6.2f%n", col, (double) size / rows));
    }

    private static long sizeOfParquet(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".parquet")).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}

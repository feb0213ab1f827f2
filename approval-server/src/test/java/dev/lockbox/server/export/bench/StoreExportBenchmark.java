package dev.lockbox.server.export.bench;

import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.audit.AuditEventPage;
import dev.lockbox.exporter.bench.ExportBenchmark;
import dev.lockbox.exporter.feed.AuditEventSource;
import dev.lockbox.exporter.testing.SyntheticAuditFeed;
import dev.lockbox.server.ServerConfig;
import dev.lockbox.server.audit.JdbcAuditLog;
import dev.lockbox.server.audit.SealedEventLoader;
import dev.lockbox.server.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The exporter from the server's store to Parquet, end to end, beside a bare parquet-avro writer of
 * the same rows in the same run (issue 4's exporter benchmark).
 *
 * <pre>
 * mvn -B -o -pl approval-server -am test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.lockbox.server.export.bench.StoreExportBenchmark [-Dexec.args="1000000 3"]
 * </pre>
 *
 * Before timing, the {@link SyntheticAuditFeed} mix (the exporter benchmark's: sessions of 40 events,
 * reads, writes, denials, missing and failed outcomes, time-ordered event ids) is sealed into an
 * embedded H2 file store opened as the server opens it ({@link Store#open}: its URL with
 * {@code WRITE_DELAY=0}, H2's value cache off), in the same rows and
 * chain as ingest writes; the bare writer gets those rows as the store returns them, read once.
 * Timed: the bare writer (rows already in memory, one file, no checks) against the exporter reading
 * the store through {@link JdbcAuditLog#page} in pages of 5,000 (what the in-server export does),
 * checking sequences and links, partitioning by day, writing under {@code _tmp}, syncing and renaming.
 */
public final class StoreExportBenchmark {
    private static final String ENVIRONMENT = "prod";

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path work = Files.createTempDirectory("lockbox-store-export-bench");
        ServerConfig config = ServerConfig.defaults().withDataDir(work.resolve("data"));
        try (Store store = Store.open(config.effectiveStoreUrl(), config.storeUser(), config.storePassword())) {
            SyntheticAuditFeed feed = new SyntheticAuditFeed(42, List.of(ENVIRONMENT), events,
                    Instant.parse("2026-03-01T00:00:00Z"), Duration.ofMillis(1000));
            long t0 = System.nanoTime();
            new SealedEventLoader(store.dataSource()).append(ENVIRONMENT, feed.all(ENVIRONMENT), 10_000);
            System.out.printf("sealed %,d events into the store in %.1f s%n", events, (System.nanoTime() - t0) / 1e9);

            JdbcAuditLog auditLog = new JdbcAuditLog(store.dataSource(), Clock.systemUTC(), id -> Optional.empty(),
                    Duration.ofMinutes(10));
            AuditEventSource fromStore = new AuditEventSource() {
                @Override
                public AuditEventPage page(String environment, long afterSequence, int limit) {
                    return auditLog.page(environment, afterSequence, limit);
                }

                @Override
                public List<String> environments() {
                    return List.of(ENVIRONMENT);
                }
            };
            List<AuditEvent> stored = new ArrayList<>(events);
            long t1 = System.nanoTime();
            for (long after = 0; stored.size() < events; ) {
                AuditEventPage page = auditLog.page(ENVIRONMENT, after, JdbcAuditLog.MAX_PAGE);
                if (page.events().isEmpty()) throw new IllegalStateException("the store holds only " + stored.size());
                stored.addAll(page.events());
                after = page.nextAfterSequence();
            }
            System.out.printf("read them back in pages of %,d: %,.0f rows/s%n", JdbcAuditLog.MAX_PAGE,
                    events / ((System.nanoTime() - t1) / 1e9));
            ExportBenchmark.compare(stored, fromStore, rounds, work);
        } finally {
            ExportBenchmark.deleteTree(work);
        }
    }
}

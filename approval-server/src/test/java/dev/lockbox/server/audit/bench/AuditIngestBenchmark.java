package dev.lockbox.server.audit.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.lockbox.api.audit.ActionClass;
import dev.lockbox.api.audit.AuditBatch;
import dev.lockbox.api.audit.EventIds;
import dev.lockbox.api.audit.AuditEventSubmission;
import dev.lockbox.api.audit.AuditOutcome;
import dev.lockbox.api.audit.Decision;
import dev.lockbox.api.request.RequestStatus;
import dev.lockbox.server.audit.GrantRecord;
import dev.lockbox.server.ServerConfig;
import dev.lockbox.server.audit.JdbcAuditLog;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;

/**
 * Audit ingest throughput at the store layer (no HTTP): an embedded H2 <em>file</em> store with the
 * server's own URL ({@code ServerConfig}: {@code WRITE_DELAY=0}, durable) behind HikariCP, several threads, each an engineer with its own grant in one shared environment (so all
 * of them contend for the same chain head), shipping like the driver does:
 * <ul>
 *   <li>batched, outcomes with their events: 100 events per call, each ALLOWED one with its outcome (the
 *       async driver: the statements ran before the batch was shipped), sealed on arrival;</li>
 *   <li>batched, outcomes one call later: 100 new events plus the outcomes of the previous call's;</li>
 *   <li>single: one event per call plus the outcome of the previous one (the sync driver).</li>
 * </ul>
 * Every event is stored and sealed in the measured time. Run:
 * {@code mvn -B -o -pl approval-server test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.lockbox.server.audit.bench.AuditIngestBenchmark -Dexec.args="4 200000 20000"}
 * (threads, events per batched run, single events).
 */
public final class AuditIngestBenchmark {
    static final String ENVIRONMENT = "sales";
    /** {@code -Dlockbox.bench.ids=v4}: random event ids, as drivers sent them before UUIDv7. */
    private static final boolean RANDOM_IDS = "v4".equals(System.getProperty("lockbox.bench.ids"));
    private static final Instant START = Instant.now();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        int batchedEvents = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        int singleEvents = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
        Path dir = Files.createTempDirectory("lockbox-audit-bench");
        try {
            run(dir, threads, batchedEvents, singleEvents);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void run(Path dir, int threads, int batchedEvents, int singleEvents) throws Exception {
        HikariConfig config = new HikariConfig();
        // The server's own H2 URL (ServerConfig): WRITE_DELAY=0, so every commit is written before the call returns.
        // -Dlockbox.bench.h2Settings=";WRITE_DELAY=0;..." replaces its settings, to compare them in one harness.
        String url = ServerConfig.defaults().withDataDir(dir).effectiveStoreUrl();
        String settings = System.getProperty("lockbox.bench.h2Settings");
        config.setJdbcUrl(settings == null ? url : url.substring(0, url.indexOf(';')) + settings);
        config.setUsername("sa");
        config.setPassword("");
        config.setMaximumPoolSize(threads + 2);
        try (HikariDataSource ds = new HikariDataSource(config)) {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration/audit").load().migrate();
            Map<String, GrantRecord> grants = new ConcurrentHashMap<>();
            for (int t = 0; t < threads; t++) {
                grants.put("r" + t, new GrantRecord("r" + t, ENVIRONMENT, "engineer-" + t, "T-" + t,
                        RequestStatus.APPROVED, START.minusSeconds(60), START.plus(Duration.ofHours(8)), true));
            }
            JdbcAuditLog log = new JdbcAuditLog(ds, Clock.systemUTC(), id -> Optional.ofNullable(grants.get(id)),
                    Duration.ofMinutes(5));
            System.out.printf("threads=%d, H2 file store (%s), %d cores, JDK %s%n", threads,
                    config.getJdbcUrl().replaceFirst("^[^;]*", ""),
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
            measure("warm-up", log, threads, Math.min(20_000, batchedEvents), 100, true);
            measure("batched: 100 events with their outcomes", log, threads, batchedEvents, 100, true);
            measure("batched: 100 events + previous outcomes", log, threads, batchedEvents, 100, false);
            measure("single: 1 event + previous outcome", log, threads, singleEvents, 1, false);
            long sealed = log.page(ENVIRONMENT, 0, 1).nextAfterSequence();
            System.out.printf("chain of %s starts at sequence %d%n", ENVIRONMENT, sealed);
        }
    }

    private static void measure(String name, JdbcAuditLog log, int threads, int events, int perCall,
            boolean outcomesWithEvents) throws Exception {
        int perThread = events / threads / perCall;
        // Build the batches first so only the store is timed.
        List<List<AuditBatch>> work = new ArrayList<>();
        for (int t = 0; t < threads; t++) work.add(batches("r" + t, perThread, perCall, outcomesWithEvents));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long cpuBegin = OS.getProcessCpuTime();
            long begin = System.nanoTime();
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String caller = "engineer-" + t;
                List<AuditBatch> mine = work.get(t);
                running.add(pool.submit(() -> {
                    for (AuditBatch b : mine) log.ingest(caller, b);
                    return null;
                }));
            }
            for (Future<?> f : running) f.get();
            double seconds = (System.nanoTime() - begin) / 1e9;
            double cpuSeconds = (OS.getProcessCpuTime() - cpuBegin) / 1e9;
            long total = (long) perThread * perCall * threads;
            // Events per CPU-second as well: on a shared machine the wall clock also measures the neighbours.
            System.out.printf("%-42s %8d events in %6.2f s = %,8.0f events/s (%,6.0f calls/s); %6.2f CPU-s = %,8.0f"
                    + " events/CPU-s; load avg %.1f%n", name, total, seconds, total / seconds,
                    (double) perThread * threads / seconds, cpuSeconds, total / cpuSeconds, OS.getSystemLoadAverage());
        } finally {
            pool.shutdown();
        }
    }

    /**
     * One engineer's calls; statements look like a busy SQL client's (10% refused, parameters bound).
     * With {@code outcomesWithEvents} each call carries the outcomes of its own events (the async driver,
     * whose statements ran before the batch left); otherwise those of the previous call (the sync driver).
     */
    static List<AuditBatch> batches(String requestId, int calls, int perCall, boolean outcomesWithEvents) {
        List<AuditBatch> out = new ArrayList<>(calls + 1);
        List<AuditOutcome> pending = List.of();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int c = 0; c < calls; c++) {
            List<AuditEventSubmission> events = new ArrayList<>(perCall);
            List<AuditOutcome> next = new ArrayList<>(perCall);
            for (int i = 0; i < perCall; i++) {
                boolean denied = random.nextInt(10) == 0;
                String id = (RANDOM_IDS ? UUID.randomUUID() : EventIds.at(System.currentTimeMillis(), random)).toString();
                long orderId = random.nextLong(1_000_000);
                events.add(new AuditEventSubmission(id, Instant.now(), requestId, "sales", "lb_" + requestId,
                        "session-" + requestId, "laptop-" + requestId, "DBeaver 24.1",
                        denied ? "DELETE" : "SELECT", denied ? ActionClass.WRITE : ActionClass.READ,
                        List.of("public.orders", "public.customers"),
                        denied ? "DELETE FROM orders WHERE id = " + orderId
                                : "SELECT o.id, o.total, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = ?",
                        denied ? null : "[" + orderId + "]", denied ? Decision.DENIED : Decision.ALLOWED,
                        denied ? "read-only grant refuses DELETE" : null));
                if (!denied) next.add(new AuditOutcome(id, true, 1L, null, random.nextDouble(0.1, 30)));
            }
            if (outcomesWithEvents) {
                out.add(new AuditBatch(ENVIRONMENT, events, next));
            } else {
                out.add(new AuditBatch(ENVIRONMENT, events, pending));
                pending = next;
            }
        }
        // The last outcomes, so every event of the run is sealed in the measured time.
        if (!pending.isEmpty()) out.add(new AuditBatch(ENVIRONMENT, List.of(), pending));
        return out;
    }
}

package dev.lockbox.server.audit.bench;

import dev.lockbox.api.admin.EnvironmentSpec;
import dev.lockbox.api.admin.IssuedToken;
import dev.lockbox.api.admin.NewUser;
import dev.lockbox.api.admin.Role;
import dev.lockbox.api.audit.AuditAck;
import dev.lockbox.api.audit.AuditBatch;
import dev.lockbox.api.audit.AuditEventPage;
import dev.lockbox.api.request.AccessLevel;
import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.api.request.NewAccessRequest;
import dev.lockbox.server.LockboxServer;
import dev.lockbox.server.ServerConfig;
import dev.lockbox.server.bench.ProcStat;
import dev.lockbox.server.bench.ServerProcess;
import dev.lockbox.server.testing.ApiClient;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Audit ingest throughput measured at the server over HTTP: a real {@link LockboxServer} on loopback
 * (embedded H2 file store with the server's own URL, so commits are written before the 2xx), an
 * environment, one approver and several engineers created through the API, each engineer with an
 * approved grant; then each client thread (one engineer, a kept-alive {@code HttpURLConnection} on its own thread) posts
 * {@code POST /api/audit/events}:
 * <ul>
 *   <li>batched: 100 events per post, each ALLOWED one with its outcome (the async driver);</li>
 *   <li>single: one event per post plus the outcome of the previous one (the sync driver).</li>
 * </ul>
 * Every acknowledgement is checked and, at the end, the environment's sealed chain is paged through and
 * must hold every event sent. The store-level {@link AuditIngestBenchmark} runs afterwards (same JVM)
 * for comparison. Request bodies are serialized before the clock starts; the process CPU figure
 * includes the HTTP client threads. Run:
 * {@code mvn -B -o -pl approval-server test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.lockbox.server.audit.bench.HttpAuditIngestBenchmark -Dexec.args="4 100000 10000 100000"}
 * (client threads, batched events, single events, events of the store-level batched runs; 0 skips it).
 * With {@code -Dlockbox.bench.serverOptions=approval-server/server-jvm.options} the server runs as its
 * own JVM with that argument file, as {@code ./lockbox server} runs it ({@code ServerProcess}); the
 * CPU figures then add the server process's (procfs) to this one's, and the warm-up waits for both JITs.
 * The server's intake journal (docs/audit-log.md, "The intake journal"): {@code -Dlockbox.bench.auditJournal=true}
 * for the server in this JVM, the environment variable {@code LOCKBOX_AUDIT_JOURNAL=on} for its own JVM.
 */
public final class HttpAuditIngestBenchmark {
    private static final String ADMIN_TOKEN = "bench-admin-token-0123456789abcdef";
    private static final String ENVIRONMENT = AuditIngestBenchmark.ENVIRONMENT;
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private record Engineer(String name, String token, String requestId) {}

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        int batchedEvents = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int singleEvents = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        int storeEvents = args.length > 3 ? Integer.parseInt(args[3]) : batchedEvents;
        Path dir = Files.createTempDirectory("lockbox-http-audit-bench");
        try {
            long sent = run(dir, threads, batchedEvents, singleEvents);
            System.out.printf("HTTP runs done: %d events sealed in the chain of %s%n", sent, ENVIRONMENT);
        } finally {
            delete(dir);
        }
        if (storeEvents > 0) {
            System.out.println("--- store level (AuditIngestBenchmark, no HTTP, same JVM) ---");
            AuditIngestBenchmark.main(new String[] {
                    String.valueOf(threads), String.valueOf(storeEvents), String.valueOf(singleEvents)});
        }
    }

    private static long run(Path dir, int threads, int batchedEvents, int singleEvents) throws Exception {
        String options = System.getProperty("lockbox.bench.serverOptions");
        if (options != null) {
            // The server as production runs it: its own JVM with server-jvm.options (ServerCommand, logback.xml).
            try (ServerProcess server = ServerProcess.start(Path.of(options), dir.resolve("data"), ADMIN_TOKEN)) {
                System.out.printf("HTTP ingest: server in its own JVM (pid %d, options %s, log %s)%n", server.pid(), options,
                        server.log());
                return run(server.baseUrl(), server.pid(), threads, batchedEvents, singleEvents);
            }
        }
        ServerConfig config = ServerConfig.defaults().withPort(0).withDataDir(dir).withAdminToken(ADMIN_TOKEN)
                .withAuditJournal(Boolean.getBoolean("lockbox.bench.auditJournal"));
        try (LockboxServer server = LockboxServer.start(config, Clock.systemUTC())) {
            System.out.printf("HTTP ingest: server in this JVM, H2 file store (%s)%s%n", config.effectiveStoreUrl().replaceFirst("^.*;", ";"),
                    config.auditJournal() ? ", with the audit intake journal" : "");
            return run(server.baseUrl(), 0, threads, batchedEvents, singleEvents);
        }
    }

    /** {@code serverPid}: the server's own process, 0 when it runs in this JVM (its CPU is then this process's). */
    private static long run(String baseUrl, long serverPid, int threads, int batchedEvents, int singleEvents) throws Exception {
        ApiClient api = new ApiClient(baseUrl);
        List<Engineer> engineers = setUp(api, threads);
        System.out.printf("HTTP ingest: %d client threads, server %s, %d cores, JDK %s, load generator JVM %s%n",
                threads, baseUrl, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                ManagementFactory.getRuntimeMXBean().getInputArguments());
        ServerCpu.pid = serverPid;
        URL uri = URI.create(baseUrl + "/api/audit/events").toURL();
        long sent = 0;
        sent += warmUp("warm-up (batched)", uri, engineers, 20_000, 100, true);
        sent += measure("batched: 100 events with their outcomes", uri, engineers, batchedEvents, 100, true);
        if (singleEvents > 0) {
            // The single-event path runs other code (and far more requests) than the batched one: warm it too.
            sent += warmUp("warm-up (single)", uri, engineers, 2_000, 1, false);
        }
        sent += measure("single: 1 event + previous outcome", uri, engineers, singleEvents, 1, false);
        long sealed = countSealed(api);
        if (sealed != sent) throw new IllegalStateException("sent " + sent + " events but " + sealed + " are sealed");
        return sent;
    }

    /** An approver, the environment, and one engineer per client thread, each with an approved grant. */
    private static List<Engineer> setUp(ApiClient api, int threads) {
        String approver = user(api, "alice", Role.APPROVER);
        api.post(ADMIN_TOKEN, "/api/environments", new EnvironmentSpec(ENVIRONMENT, "Sales", "jdbc:h2:mem:bench-sales",
                List.of("alice"), true, "eng_sales", "s3cret-sales")).expect(201);
        List<Engineer> out = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String name = "engineer" + t;
            String token = user(api, name, Role.ENGINEER);
            AccessRequest r = api.post(token, "/api/requests", new NewAccessRequest(ENVIRONMENT, "T-" + t,
                    "ingest benchmark", AccessLevel.READ_ONLY, Duration.ofHours(4), null)).expect(201).as(AccessRequest.class);
            api.post(approver, "/api/requests/" + r.id() + "/approve", Map.of("comment", "ok")).expect(200);
            out.add(new Engineer(name, token, r.id()));
        }
        return out;
    }

    private static String user(ApiClient api, String name, Role role) {
        return api.post(ADMIN_TOKEN, "/api/users", new NewUser(name, List.of(role), null, null))
                .expect(201).as(IssuedToken.class).token();
    }

    /**
     * Rounds of {@code events} until the JIT compilers are quiet (under 5% of the round's wall time
     * compiling) or 90 s have passed: on these 2 cores C2 otherwise compiles the request path for a
     * minute or more, CPU that a short measured phase would charge to ingest.
     */
    private static long warmUp(String name, URL uri, List<Engineer> engineers, int events, int perPost,
            boolean outcomesWithEvents) throws Exception {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long sent = 0;
        long until = System.nanoTime() + 90_000_000_000L;
        for (int round = 1; ; round++) {
            long jit0 = jit.getTotalCompilationTime();
            ProcStat server0 = ServerCpu.now();
            long t0 = System.nanoTime();
            sent += measure(name + " " + round, uri, engineers, events, perPost, outcomesWithEvents);
            double wallMs = (System.nanoTime() - t0) / 1e6;
            long jitMs = jit.getTotalCompilationTime() - jit0 + ServerCpu.now().minus(server0).compilerNanos() / 1_000_000;
            if (jitMs < 0.05 * wallMs) return sent;
            if (System.nanoTime() > until) {
                System.out.printf("%s: the JIT still compiled %d ms in the last %.0f ms round after 90 s%n", name, jitMs, wallMs);
                return sent;
            }
        }
    }

    private static long measure(String name, URL uri, List<Engineer> engineers, int events,
            int perPost, boolean outcomesWithEvents) throws Exception {
        int threads = engineers.size();
        int perThread = events / threads / perPost;
        // Serialize every body first so the timed part is the server (plus the client's sending).
        List<List<byte[]>> work = new ArrayList<>();
        for (Engineer e : engineers) work.add(bodies(e.requestId(), perThread, perPost, outcomesWithEvents));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long cpuBegin = OS.getProcessCpuTime();
            ProcStat server0 = ServerCpu.now();
            long begin = System.nanoTime();
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Engineer engineer = engineers.get(t);
                List<byte[]> mine = work.get(t);
                running.add(pool.submit(() -> {
                    for (byte[] body : mine) post(uri, engineer.token(), body);
                    return null;
                }));
            }
            for (Future<?> f : running) f.get();
            double seconds = (System.nanoTime() - begin) / 1e9;
            double clientCpuSeconds = (OS.getProcessCpuTime() - cpuBegin) / 1e9;
            double serverCpuSeconds = ServerCpu.now().minus(server0).totalNanos() / 1e9;
            double cpuSeconds = clientCpuSeconds + serverCpuSeconds;
            long total = (long) perThread * perPost * threads;
            long posts = work.stream().mapToLong(List::size).sum();
            System.out.printf("%-42s %8d events in %6.2f s = %,8.0f events/s (%,6.0f posts/s); %6.2f CPU-s = %,8.0f"
                            + " events/CPU-s%s; load avg %.1f%n", name, total, seconds, total / seconds, posts / seconds,
                    cpuSeconds, total / cpuSeconds, ServerCpu.pid == 0 ? "" : String.format(" (server JVM %.2f CPU-s = %,.0f events"
                            + " per server CPU-s)", serverCpuSeconds, total / serverCpuSeconds), OS.getSystemLoadAverage());
            return total;
        } finally {
            pool.shutdown();
        }
    }

    /**
     * One POST on the calling thread over a kept-alive connection ({@code HttpURLConnection}, as the
     * driver's client does): the JDK {@code HttpClient} would hand every exchange to its selector thread
     * and back, CPU the clients would take from the server on these 2 cores.
     */
    private static void post(URL uri, String token, byte[] body) throws Exception {
        HttpURLConnection c = (HttpURLConnection) uri.openConnection();
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setFixedLengthStreamingMode(body.length);
        c.setConnectTimeout(10_000);
        c.setReadTimeout(60_000);
        c.setRequestProperty("Authorization", "Bearer " + token);
        c.setRequestProperty("Content-Type", "application/json");
        try (OutputStream out = c.getOutputStream()) {
            out.write(body);
        }
        int status = c.getResponseCode();
        InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        byte[] answer;
        try (in) {
            answer = in == null ? new byte[0] : in.readAllBytes(); // read to the end: the connection is reused
        }
        if (status != 200) {
            throw new IllegalStateException("POST /api/audit/events: " + status + " " + new String(answer, StandardCharsets.UTF_8));
        }
        AuditAck ack = ApiClient.JSON.readValue(answer, AuditAck.class);
        if (ack.duplicates() != 0) throw new IllegalStateException("unexpected duplicates: " + ack);
    }

    /** One engineer's posts: 10% of statements refused, parameters bound, like {@link AuditIngestBenchmark}'s. */
    private static List<byte[]> bodies(String requestId, int posts, int perPost, boolean outcomesWithEvents)
            throws Exception {
        List<byte[]> out = new ArrayList<>(posts + 1);
        // The same event mix as the store-level harness, so the two figures compare like with like.
        for (AuditBatch batch : AuditIngestBenchmark.batches(requestId, posts, perPost, outcomesWithEvents)) {
            out.add(ApiClient.JSON.writeValueAsBytes(batch));
        }
        return out;
    }

    /** Sealed events of the environment, paged through with the admin token: checks nothing was lost. */
    private static long countSealed(ApiClient api) {
        long after = 0;
        long count = 0;
        while (true) {
            AuditEventPage page = api.get(ADMIN_TOKEN, "/api/audit/events?environment=" + ENVIRONMENT
                    + "&afterSequence=" + after + "&limit=10000").expect(200).as(AuditEventPage.class);
            if (page.events().isEmpty()) return count;
            for (var e : page.events()) {
                if (!"MISC".equals(e.actionClass())) count++; // CONNECT/DISCONNECT are the server's own
            }
            after = page.nextAfterSequence();
        }
    }

    /** The CPU of the server's own JVM when it runs as one (procfs), else nothing: this JVM's CPU is counted already. */
    private static final class ServerCpu {
        static volatile long pid;

        static ProcStat now() {
            return pid == 0 ? new ProcStat(0, 0, Map.of()) : ProcStat.of(pid);
        }
    }

    private static void delete(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}

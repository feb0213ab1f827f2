package dev.lockbox.driver.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockbox.api.LockboxJson;
import dev.lockbox.api.admin.EnvironmentSpec;
import dev.lockbox.api.admin.NewUser;
import dev.lockbox.api.admin.Role;
import dev.lockbox.api.audit.ActionClass;
import dev.lockbox.api.audit.AuditAck;
import dev.lockbox.api.audit.AuditBatch;
import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.audit.AuditEventPage;
import dev.lockbox.api.audit.AuditEventSubmission;
import dev.lockbox.api.audit.AuditOutcome;
import dev.lockbox.api.audit.Decision;
import dev.lockbox.api.request.AccessLevel;
import dev.lockbox.api.request.NewAccessRequest;
import dev.lockbox.driver.LockboxConnection;
import dev.lockbox.driver.server.HttpLockboxServerClient;
import dev.lockbox.driver.testing.AuditPostCounter;
import dev.lockbox.server.LockboxServer;
import dev.lockbox.server.ServerConfig;
import dev.lockbox.server.audit.AuditLog;
import dev.lockbox.server.audit.JdbcAuditLog;
import dev.lockbox.server.audit.SessionEvent;
import dev.lockbox.server.grant.GrantLifecycleListener;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.h2.tools.Server;

/**
 * The driver's overhead against raw H2 (issue 3, "Speed"), all in one run: raw H2 in-memory, raw
 * H2 over TCP (127.0.0.1), and Lockbox {@code audit=sync} / {@code audit=async} to the same H2 TCP
 * target through a real approval server on loopback (embedded H2 file store). Workloads: prepared
 * point select, ad-hoc point select with varying literals, 1000-row prepared batch insert, and
 * cold unique statements (new column aliases each time, so neither classifier cache hits).
 *
 * <p>The machine is shared, so every round measures each configuration once, in an order that
 * rotates per round (raw, sync, async, raw, ...), and ratios are taken within a round before the
 * median: a load spike then hits both sides of a ratio. The loopback round trip the sync target
 * allows for is measured in the same rounds: {@code GET /healthz} (bare HTTP) and a one-event
 * {@code POST /api/audit/events} (what a sync statement waits for: HTTP plus the durable store).
 *
 * <p>{@code async} events are acknowledged by a server that, in this setup, shares the same CPUs;
 * between cells the harness waits (untimed) until the async backlog is drained so the next cell
 * does not pay for it, and prints how long that took.
 *
 * <p>CPU per statement is also split by thread (calling thread, the driver's audit shipper, the
 * approval server's threads, H2's TCP server, and the whole process including GC and JIT; see
 * {@link CpuSplit}), and the approval server's access log is counted to give audit POSTs per
 * statement. Unlike wall time, both hardly depend on what else runs on the shared machine.
 *
 * <p>{@code -Dbench.only=W:C} (workload and configuration indexes, e.g. {@code 1:3} for async ad hoc)
 * runs only that cell in the recorded rounds, for a profiler (JFR) to see it alone; the table then
 * holds zeros elsewhere.
 * It then also prints one {@code CELL} line (µs per statement, process CPU per statement, the
 * loopback round trips) for {@code driver/bench/separate-jvms.sh}, which runs each cell in a JVM
 * of its own: here, one JVM runs every path and keeps compiling, which moves the raw baseline.
 *
 * <p>{@code -Dbench.warmupRounds=N} (default 2): unrecorded rounds first. The CPU split's JIT
 * column shows whether the compilers were still busy in the recorded rounds (they compete with
 * the statement for the 2 cores).
 *
 * <p>{@code -Dbench.asyncProps=&auditLingerMs=0} appends driver properties to the async
 * connection's URL (e.g. to compare shipper settings).
 *
 * <p>Run: {@code mvn -B -o -pl driver test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.lockbox.driver.bench.DriverBenchmark [-Dexec.args="ROUNDS CELL_MS"]}
 */
public final class DriverBenchmark {
    private static final String ADMIN = "bench-admin-token-0123456789abcdef";
    private static final ObjectMapper JSON = LockboxJson.newMapper();
    private static final int ROWS = 10_000;
    private static final int BATCH = 1000;
    private static final String[] CONFIGS = {"raw H2 mem", "raw H2 TCP", "lockbox sync", "lockbox async"};
    private static final String[] WORKLOADS = {"prepared point select", "ad-hoc point select (varying literals)",
        "batch insert, 1000 rows", "cold unique statements"};
    /** Cold texts are new across the whole run: this counter goes into a column alias. */
    private static long coldCounter;
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    /**
     * {@code -Dbench.storeSettings=";WRITE_DELAY=500"}: the server's store without its durable commit
     * per transaction (the given H2 settings instead of {@code WRITE_DELAY=0}). Not something to ship:
     * it measures what a sync statement would cost if the audit write cost nothing durable, the lower
     * bound of any faster durable write (docs/benchmarks.md, "Sync POST: what is left besides the commit").
     */
    private static ServerConfig storeOverride(ServerConfig c) {
        String extra = System.getProperty("bench.storeSettings");
        return extra == null ? c : c.withStore(c.effectiveStoreUrl().replace(";WRITE_DELAY=0", "") + extra, "sa", "");
    }

    /**
     * {@code -Dbench.auditChannel=true}: the server also runs its audit channel (on any free port), so
     * the lockbox connections send their audit batches there instead of {@code POST /api/audit/events}
     * (docs/audit-log.md, "The audit channel").
     */
    private static ServerConfig auditChannel(ServerConfig c) {
        return Boolean.getBoolean("bench.auditChannel") ? c.withAuditChannelPort(0) : c;
    }

    /**
     * {@code -Dbench.auditJournal=true}: the server acknowledges audit batches from its intake journal and
     * writes its store behind it (docs/audit-log.md, "The intake journal").
     */
    private static ServerConfig auditJournal(ServerConfig c) {
        return Boolean.getBoolean("bench.auditJournal") ? c.withAuditJournal(true) : c;
    }

    /**
     * {@code -Dbench.auditLog=ack-only}: the server acknowledges every audit POST without storing or
     * checking anything (reads and session events still go to the real log). Not something to ship:
     * it measures what a sync statement costs with the audit call reduced to HTTP, JSON and the
     * driver's own work, the lower bound of any store or journal behind the same endpoint
     * (docs/benchmarks.md, "Sync with nothing stored").
     */
    private static LockboxServer.AuditLogFactory auditLogs() {
        String mode = System.getProperty("bench.auditLog", "store");
        return switch (mode) {
            case "store" -> JdbcAuditLog::new;
            case "ack-only" -> (ds, clock, grants, timeout) -> new AcknowledgeOnly(new JdbcAuditLog(ds, clock, grants, timeout));
            default -> throw new IllegalArgumentException("bench.auditLog must be store or ack-only: " + mode);
        };
    }

    /** See {@link #auditLogs()}: ingest answers at once, everything else is the real log. */
    private record AcknowledgeOnly(AuditLog log) implements AuditLog {
        @Override
        public AuditAck ingest(String caller, AuditBatch batch) {
            return new AuditAck(batch.events() == null ? 0 : batch.events().size(), 0,
                    batch.outcomes() == null ? 0 : batch.outcomes().size());
        }

        @Override
        public void recordSessionEvent(SessionEvent event) {
            log.recordSessionEvent(event);
        }

        @Override
        public AuditEventPage page(String environment, long afterSequence, int limit) {
            return log.page(environment, afterSequence, limit);
        }

        @Override
        public List<AuditEvent> forRequest(String requestId, long afterSequence, int limit) {
            return log.forRequest(requestId, afterSequence, limit);
        }

        @Override
        public int sealOverdue(Instant now) {
            return log.sealOverdue(now);
        }
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        long cellMs = args.length > 1 ? Long.parseLong(args[1]) : 400;
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("ROOT");
        root.setLevel(ch.qos.logback.classic.Level.WARN); // a log line per request would measure the console
        AuditPostCounter posts = AuditPostCounter.attach();
        String loadBefore = loadAverage();
        Path dir = Files.createTempDirectory("lockbox-driver-bench");
        String dbName = "lockbox-bench-" + UUID.randomUUID();
        Server tcp = Server.createTcpServer("-tcpPort", "0", "-ifNotExists").start();
        try (Connection owner = DriverManager.getConnection("jdbc:h2:mem:" + dbName, "sa", "");
             LockboxServer server = LockboxServer.start(auditJournal(auditChannel(storeOverride(ServerConfig.defaults().withPort(0).withDataDir(dir)
                     .withAdminToken(ADMIN)))), Clock.systemUTC(), auditLogs(), GrantLifecycleListener.NONE)) {
            createTarget(owner);
            String tcpUrl = "jdbc:h2:tcp://127.0.0.1:" + tcp.getPort() + "/mem:" + dbName;
            Setup setup = new Setup(server, tcpUrl);
            try (Connection rawMem = DriverManager.getConnection("jdbc:h2:mem:" + dbName, "bench_eng", "bench-pw");
                 Connection rawTcp = DriverManager.getConnection(tcpUrl, "bench_eng", "bench-pw");
                 Connection sync = DriverManager.getConnection(setup.url("applicationName=bench"), setup.engineer());
                 Connection async = DriverManager.getConnection(setup.url(
                         "applicationName=bench&audit=async&auditMaxPending=10000000&auditMaxLagMs=3600000"
                                 + System.getProperty("bench.asyncProps", "")), setup.engineer())) {
                Connection[] connections = {rawMem, rawTcp, sync, async};
                RoundTrip rtt = new RoundTrip(server, setup, sync.unwrap(LockboxConnection.class));
                LockboxConnection asyncLockbox = async.unwrap(LockboxConnection.class);

                String only = System.getProperty("bench.only"); // "W:C" (indexes): profile one cell alone
                int warmup = Integer.getInteger("bench.warmupRounds", 2);
                System.out.printf("warm-up (%d ms per cell, %d rounds, not recorded)%n", cellMs, warmup);
                for (int round = 0; round < warmup; round++) {
                    for (int w = 0; w < WORKLOADS.length; w++) {
                        for (int c = 0; c < connections.length; c++) {
                            if (only != null && !only.equals(w + ":" + c)) {
                                continue;
                            }
                            cell(w, connections[c], cellMs, owner);
                            drain(asyncLockbox);
                        }
                    }
                    rtt.healthz(cellMs);
                    rtt.healthzJdkHttpClient(cellMs);
                    rtt.auditPost(cellMs);
                    if (round >= warmup - 5) { // enough to compile both paths; the cells are what needs 40 rounds
                        rtt.auditPostRaw(rtt.auditInFront, cellMs);
                        rtt.auditPostRaw(rtt.auditThroughJavalin, cellMs);
                        rtt.auditChannel(cellMs);
                    }
                }

                double[][][] us = new double[WORKLOADS.length][CONFIGS.length][rounds];
                double[][][] cpu = new double[WORKLOADS.length][CONFIGS.length][rounds];
                double[][][][] split = new double[WORKLOADS.length][CONFIGS.length][CpuSplit.Part.values().length][rounds];
                double[][][] postsPerOp = new double[WORKLOADS.length][CONFIGS.length][rounds];
                double[] healthz = new double[rounds];
                double[] healthzJdk = new double[rounds];
                double[] auditPost = new double[rounds];
                double[] auditFront = new double[rounds];
                double[] auditJavalin = new double[rounds];
                double[] auditChannel = new double[rounds];
                long drainMsMax = 0;
                for (int round = 0; round < rounds; round++) {
                    for (int w = 0; w < WORKLOADS.length; w++) {
                        for (int k = 0; k < CONFIGS.length; k++) {
                            int c = (k + round) % CONFIGS.length; // rotate who goes first
                            if (only != null && !only.equals(w + ":" + c)) {
                                continue;
                            }
                            var before = CpuSplit.snapshot();
                            long posts0 = posts.count();
                            Cell cell = cell(w, connections[c], cellMs, owner);
                            // the async backlog left by this cell is drained (untimed) but its CPU is counted:
                            // shipping it is part of what the cell's statements cost
                            drainMsMax = Math.max(drainMsMax, drain(asyncLockbox));
                            var parts = CpuSplit.perOp(before, CpuSplit.snapshot(), cell.ops());
                            us[w][c][round] = cell.wallUs();
                            cpu[w][c][round] = cell.cpuUs();
                            for (CpuSplit.Part p : CpuSplit.Part.values()) {
                                split[w][c][p.ordinal()][round] = parts.get(p);
                            }
                            postsPerOp[w][c][round] = (double) (posts.count() - posts0) / cell.ops();
                        }
                    }
                    healthz[round] = rtt.healthz(cellMs);
                    healthzJdk[round] = rtt.healthzJdkHttpClient(cellMs);
                    auditPost[round] = rtt.auditPost(cellMs);
                    for (int k = 0; k < 3; k++) { // who goes first rotates
                        switch ((k + round) % 3) {
                            case 0 -> auditFront[round] = rtt.auditPostRaw(rtt.auditInFront, cellMs);
                            case 1 -> auditJavalin[round] = rtt.auditPostRaw(rtt.auditThroughJavalin, cellMs);
                            default -> auditChannel[round] = rtt.auditChannel(cellMs);
                        }
                    }
                    System.out.printf("round %d/%d done (healthz %.0f us, JDK HttpClient %.0f us, audit POST %.0f us; "
                                    + "mapper-written audit POST in front of Javalin %.0f us, through Javalin %.0f us; "
                                    + "audit channel %.0f us)%n",
                            round + 1, rounds, healthz[round], healthzJdk[round], auditPost[round], auditFront[round],
                            auditJavalin[round], auditChannel[round]);
                }
                System.out.printf("%nGET /healthz over the JDK HttpClient (HTTP/1.1), median: %.1f us%n", median(healthzJdk));
                System.out.printf("audit POST (body by the shared mapper, plain HttpURLConnection), median: in front of Javalin "
                        + "%.1f us, through Javalin %.1f us; the same call on the audit channel %.1f us%n",
                        median(auditFront), median(auditJavalin), median(auditChannel));
                print(us, healthz, auditPost, rounds, cellMs, drainMsMax, loadBefore, loadAverage());
                printCpu(cpu);
                printSplit(split, postsPerOp);
                if (only != null) {
                    // One line for bench/separate-jvms.sh, which runs each cell in a JVM of its own.
                    int w = Integer.parseInt(only.split(":")[0]);
                    int c = Integer.parseInt(only.split(":")[1]);
                    System.out.printf(java.util.Locale.ROOT,
                            "CELL %d:%d us=%.1f process_cpu_us=%.1f healthz_us=%.1f audit_post_us=%.1f "
                                    + "audit_post_front_us=%.1f audit_post_javalin_us=%.1f audit_channel_us=%.1f "
                                    + "workload=%s config=%s%n",
                            w, c, median(us[w][c]), median(split[w][c][CpuSplit.Part.PROCESS.ordinal()]),
                            median(healthz), median(auditPost), median(auditFront), median(auditJavalin), median(auditChannel),
                            WORKLOADS[w].replace(' ', '_'), CONFIGS[c].replace(' ', '_'));
                }
            }
        } finally {
            tcp.stop();
        }
    }

    /** The approval server's users, environment and approved READ_WRITE grant for the engineer. */
    private static final class Setup {
        final LockboxServer server;
        final String engineerToken;
        final String requestId;
        private final HttpClient http = HttpClient.newHttpClient();

        Setup(LockboxServer server, String tcpUrl) throws Exception {
            this.server = server;
            String approver = call(ADMIN, "POST", "/api/users",
                    new NewUser("approver", List.of(Role.APPROVER), "approver@example.com", null)).get("token").asText();
            engineerToken = call(ADMIN, "POST", "/api/users",
                    new NewUser("engineer", List.of(Role.ENGINEER), "engineer@example.com", null)).get("token").asText();
            call(ADMIN, "POST", "/api/environments", new EnvironmentSpec("bench", "Benchmark", tcpUrl, List.of("approver"),
                    true, "bench_eng", "bench-pw"));
            JsonNode request = call(engineerToken, "POST", "/api/requests", new NewAccessRequest("bench", "BENCH-1",
                    "driver overhead benchmark", AccessLevel.READ_WRITE, Duration.ofHours(8), null));
            requestId = request.get("id").asText();
            if (!"APPROVED".equals(request.get("status").asText())) {
                call(approver, "POST", "/api/requests/" + requestId + "/approve", Map.of("comment", "benchmark"));
            }
        }

        String url(String query) {
            return "jdbc:lockbox://127.0.0.1:" + server.port() + "/bench?" + query;
        }

        Properties engineer() {
            Properties p = new Properties();
            p.setProperty("user", "engineer");
            p.setProperty("password", engineerToken);
            return p;
        }

        private JsonNode call(String token, String method, String path, Object body) throws Exception {
            HttpRequest r = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build();
            HttpResponse<String> response = http.send(r, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
            }
            return JSON.readTree(response.body());
        }
    }

    /** The loopback round trips a sync statement may cost on top of raw: bare HTTP and the audit POST itself. */
    private static final class RoundTrip {
        private final HttpClient jdkHttpClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
        private final HttpRequest healthzRequest;
        private final URL healthz;
        private final HttpLockboxServerClient audit;
        /** The same client after a session grant announced the server's audit channel; null without one. */
        private final HttpLockboxServerClient auditOnChannel;
        final URL auditInFront;
        final URL auditThroughJavalin;
        private static final com.fasterxml.jackson.databind.ObjectWriter BATCH = LockboxJson.newMapper().writerFor(AuditBatch.class);
        private final LockboxConnection session;
        private final Setup setup;
        private String previousEventId;

        RoundTrip(LockboxServer server, Setup setup, LockboxConnection session) throws Exception {
            this.healthzRequest = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/healthz")).GET().build();
            this.healthz = URI.create(server.baseUrl() + "/healthz").toURL();
            this.audit = new HttpLockboxServerClient(URI.create(server.baseUrl()), setup.engineerToken, Duration.ofSeconds(10));
            this.auditInFront = URI.create(server.baseUrl() + "/api/audit/events").toURL();
            this.auditThroughJavalin = URI.create(server.baseUrl() + "/api/audit/events/").toURL();
            this.session = session;
            this.setup = setup;
            if (server.auditChannelPort() == null) {
                this.auditOnChannel = null;
            } else {
                this.auditOnChannel = new HttpLockboxServerClient(URI.create(server.baseUrl()), setup.engineerToken,
                        Duration.ofSeconds(10));
                auditOnChannel.openSession(new dev.lockbox.api.grant.SessionOpen("bench", UUID.randomUUID().toString(),
                        "bench-host", "bench-rtt", "0"));
            }
        }

        /** {@link #auditPost} on the server's audit channel (NaN without one): what a sync statement waits for there. */
        double auditChannel(long ms) throws Exception {
            return auditOnChannel == null ? Double.NaN : auditCall(auditOnChannel, ms);
        }

        /** Median µs of {@code GET /healthz} over the driver's transport (HttpURLConnection, kept alive, no proxy). */
        double healthz(long ms) throws Exception {
            List<Long> samples = new ArrayList<>();
            long end = System.nanoTime() + ms * 1_000_000;
            while (System.nanoTime() < end) {
                long t = System.nanoTime();
                HttpURLConnection c = (HttpURLConnection) healthz.openConnection(java.net.Proxy.NO_PROXY);
                int status = c.getResponseCode();
                try (java.io.InputStream in = c.getInputStream()) {
                    in.readAllBytes();
                }
                samples.add(System.nanoTime() - t);
                if (status != 200) {
                    throw new IllegalStateException("/healthz answered " + status);
                }
            }
            return medianNanos(samples) / 1000.0;
        }

        /** The same over the JDK HttpClient (HTTP/1.1), the driver's transport before 2026-11-29. */
        double healthzJdkHttpClient(long ms) throws Exception {
            List<Long> samples = new ArrayList<>();
            long end = System.nanoTime() + ms * 1_000_000;
            while (System.nanoTime() < end) {
                long t = System.nanoTime();
                HttpResponse<byte[]> r = jdkHttpClient.send(healthzRequest, HttpResponse.BodyHandlers.ofByteArray());
                samples.add(System.nanoTime() - t);
                if (r.statusCode() != 200) {
                    throw new IllegalStateException("/healthz answered " + r.statusCode());
                }
            }
            return medianNanos(samples) / 1000.0;
        }

        /** Median µs of a sync statement's audit call: one ALLOWED event plus the previous one's outcome. */
        double auditPost(long ms) throws Exception {
            return auditCall(audit, ms);
        }

        private double auditCall(HttpLockboxServerClient client, long ms) throws Exception {
            List<Long> samples = new ArrayList<>();
            long end = System.nanoTime() + ms * 1_000_000;
            while (System.nanoTime() < end) {
                AuditBatch call = nextSyncCall();
                long t = System.nanoTime();
                client.submitAudit(call);
                samples.add(System.nanoTime() - t);
            }
            return medianNanos(samples) / 1000.0;
        }

        /**
         * Median µs of the same audit call as {@link #auditPost}, body written by the shared mapper and
         * sent over a plain kept-alive HttpURLConnection to {@code target}: {@link #auditInFront}
         * ({@code /api/audit/events}, answered by {@code AuditPostHandler}) or {@link #auditThroughJavalin}
         * ({@code /api/audit/events/}: Javalin ignores the trailing slash and routes it to the same
         * {@code AuditApi.ingest}, the front handler does not take it). Alternated in every round, the
         * two give what the front handler saves per POST within one JVM.
         */
        double auditPostRaw(URL target, long ms) throws Exception {
            List<Long> samples = new ArrayList<>();
            long end = System.nanoTime() + ms * 1_000_000;
            while (System.nanoTime() < end) {
                AuditBatch call = nextSyncCall();
                long t = System.nanoTime();
                byte[] body = BATCH.writeValueAsBytes(call);
                HttpURLConnection c = (HttpURLConnection) target.openConnection(java.net.Proxy.NO_PROXY);
                c.setRequestMethod("POST");
                c.setRequestProperty("Authorization", "Bearer " + setup.engineerToken);
                c.setRequestProperty("Content-Type", "application/json");
                c.setDoOutput(true);
                try (java.io.OutputStream out = c.getOutputStream()) {
                    out.write(body);
                }
                int status = c.getResponseCode();
                try (java.io.InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
                    in.readAllBytes();
                }
                samples.add(System.nanoTime() - t);
                if (status != 200) {
                    throw new IllegalStateException(target + " answered " + status);
                }
            }
            return medianNanos(samples) / 1000.0;
        }

        /** What a sync statement sends: its ALLOWED event and the previous statement's outcome. */
        private AuditBatch nextSyncCall() {
            String id = dev.lockbox.api.audit.EventIds.next();
            AuditEventSubmission event = new AuditEventSubmission(id, Instant.now(), setup.requestId, "bench",
                    "bench_eng", session.sessionId(), "bench-host", "bench", "SELECT", ActionClass.READ,
                    List.of("items"), "SELECT name, amount FROM items WHERE id = ?", "[1]", Decision.ALLOWED, null);
            List<AuditOutcome> outcomes = previousEventId == null ? List.of()
                    : List.of(new AuditOutcome(previousEventId, true, null, null, 0.05));
            previousEventId = id;
            return new AuditBatch("bench", List.of(event), outcomes);
        }
    }

    private static void createTarget(Connection owner) throws SQLException {
        try (Statement s = owner.createStatement()) {
            s.execute("CREATE TABLE items(id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, amount INT NOT NULL)");
            s.execute("INSERT INTO items SELECT X, 'item-' || X, MOD(X * 7919, 1000) FROM SYSTEM_RANGE(1, " + ROWS + ")");
            s.execute("CREATE TABLE batch_rows(id INT NOT NULL, name VARCHAR(40) NOT NULL, amount INT NOT NULL)");
            s.execute("CREATE USER bench_eng PASSWORD 'bench-pw'");
            s.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON items, batch_rows TO bench_eng");
        }
    }

    /** Wall and calling-thread CPU µs per operation of one cell. */
    private record Cell(double wallUs, double cpuUs, long ops) {}

    /**
     * Runs workload {@code w} on {@code c} for about {@code ms} milliseconds. The calling thread's
     * CPU time separates what the driver costs the caller from CPU taken by the co-located
     * approval server and H2 TCP server (other threads of this JVM) and by other processes.
     */
    private static Cell cell(int w, Connection c, long ms, Connection owner) throws SQLException {
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        long ops = switch (w) {
            case 0 -> prepared(c, ms);
            case 1 -> adHoc(c, ms);
            case 2 -> batchInsert(c, ms);
            case 3 -> cold(c, ms);
            default -> throw new IllegalArgumentException("workload " + w);
        };
        Cell cell = new Cell((System.nanoTime() - wall0) / 1000.0 / ops,
                (THREADS.getCurrentThreadCpuTime() - cpu0) / 1000.0 / ops, ops);
        if (w == 2) {
            try (Statement s = owner.createStatement()) {
                s.execute("TRUNCATE TABLE batch_rows"); // untimed: keeps the in-memory target small
            }
        }
        return cell;
    }

    private static long prepared(Connection c, long ms) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT name, amount FROM items WHERE id = ?")) {
            long ops = 0;
            long start = System.nanoTime();
            long end = start + ms * 1_000_000;
            long now;
            do {
                ps.setInt(1, 1 + (int) (ops * 7 % ROWS));
                try (ResultSet rs = ps.executeQuery()) {
                    read(rs);
                }
                ops++;
            } while ((now = System.nanoTime()) < end);
            return ops;
        }
    }

    private static long adHoc(Connection c, long ms) throws SQLException {
        try (Statement s = c.createStatement()) {
            long ops = 0;
            long start = System.nanoTime();
            long end = start + ms * 1_000_000;
            long now;
            do {
                try (ResultSet rs = s.executeQuery("SELECT name, amount FROM items WHERE id = " + (1 + ops * 7 % ROWS))) {
                    read(rs);
                }
                ops++;
            } while ((now = System.nanoTime()) < end);
            return ops;
        }
    }

    private static long batchInsert(Connection c, long ms) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO batch_rows(id, name, amount) VALUES (?, ?, ?)")) {
            long ops = 0;
            long start = System.nanoTime();
            long end = start + ms * 1_000_000;
            long now;
            do {
                for (int i = 0; i < BATCH; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, "row-" + i);
                    ps.setInt(3, i % 100);
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                if (counts.length != BATCH) {
                    throw new IllegalStateException("batch of " + BATCH + " answered " + counts.length + " counts");
                }
                ops++;
            } while ((now = System.nanoTime()) < end);
            return ops;
        }
    }

    /** Every text new: a fresh column alias changes both the exact text and the literal-normalised shape. */
    private static long cold(Connection c, long ms) throws SQLException {
        try (Statement s = c.createStatement()) {
            long ops = 0;
            long start = System.nanoTime();
            long end = start + ms * 1_000_000;
            long now;
            do {
                long n = ++coldCounter;
                try (ResultSet rs = s.executeQuery("SELECT name AS name_" + n + ", amount AS amount_" + n
                        + " FROM items WHERE id = " + (1 + n % ROWS))) {
                    read(rs);
                }
                ops++;
            } while ((now = System.nanoTime()) < end);
            return ops;
        }
    }

    private static void read(ResultSet rs) throws SQLException {
        if (!rs.next() || rs.getString(1) == null || rs.getInt(2) < 0) {
            throw new IllegalStateException("point select found no row");
        }
    }

    /** Waits (untimed) until the async sink has nothing unacknowledged; ms waited. */
    private static long drain(LockboxConnection async) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + Duration.ofMinutes(5).toNanos();
        while (async.auditBacklog() > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("async audit backlog not drained after 5 minutes: " + async.auditBacklog());
            }
            Thread.sleep(5);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static void print(double[][][] us, double[] healthz, double[] auditPost, int rounds, long cellMs,
                              long drainMsMax, String loadBefore, String loadAfter) {
        double rttHealthz = median(healthz);
        double rttAudit = median(auditPost);
        System.out.println();
        System.out.printf("%d rounds x %d ms per cell, configurations interleaved (order rotated each round); "
                + "median over rounds; ratios are per-round ratios to raw H2 TCP, then the median%n", rounds, cellMs);
        System.out.printf("loopback round trip (median): GET /healthz %.1f us, one-event POST /api/audit/events %.1f us%n",
                rttHealthz, rttAudit);
        System.out.printf("load average: before %s, after %s; longest untimed async drain between cells: %d ms%n%n",
                loadBefore, loadAfter, drainMsMax);
        System.out.println("| workload | raw H2 mem µs/op | raw H2 TCP µs/op | sync µs/op | sync / TCP "
                + "| raw TCP + RTT (healthz / audit POST) µs | async µs/op | async / TCP |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        for (int w = 0; w < WORKLOADS.length; w++) {
            double[] syncVsTcp = new double[rounds];
            double[] asyncVsTcp = new double[rounds];
            double[] plusHealthz = new double[rounds];
            double[] plusAudit = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                syncVsTcp[r] = us[w][2][r] / us[w][1][r];
                asyncVsTcp[r] = us[w][3][r] / us[w][1][r];
                plusHealthz[r] = us[w][1][r] + healthz[r];
                plusAudit[r] = us[w][1][r] + auditPost[r];
            }
            System.out.printf("| %s | %.1f | %.1f | %.1f | %.2f× | %.1f / %.1f | %.1f | %.2f× |%n", WORKLOADS[w],
                    median(us[w][0]), median(us[w][1]), median(us[w][2]), median(syncVsTcp),
                    median(plusHealthz), median(plusAudit), median(us[w][3]), median(asyncVsTcp));
        }
        System.out.println();
        System.out.println("Targets vs raw H2 TCP:");
        // The verdict uses the median of per-round ratios (robust to a load spike in one round); the
        // ratio of the two medians printed in the table can differ when raw TCP varies between rounds.
        verdict("async prepared <= 1.10x", ratio(us, 0, 3, rounds) <= 1.10, String.format("%.2fx (ratio of medians %.2fx)",
                ratio(us, 0, 3, rounds), median(us[0][3]) / median(us[0][1])));
        verdict("async ad-hoc <= 1.15x", ratio(us, 1, 3, rounds) <= 1.15, String.format("%.2fx (ratio of medians %.2fx)",
                ratio(us, 1, 3, rounds), median(us[1][3]) / median(us[1][1])));
        for (int w = 0; w < 2; w++) {
            double[] overHealthz = new double[rounds];
            double[] overAudit = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                overHealthz[r] = us[w][2][r] - (us[w][1][r] + healthz[r]);
                overAudit[r] = us[w][2][r] - (us[w][1][r] + auditPost[r]);
            }
            verdict("sync " + (w == 0 ? "prepared" : "ad-hoc") + " <= raw + RTT(healthz)", median(overHealthz) <= 0,
                    String.format("sync - (raw + RTT) = %+.1f us", median(overHealthz)));
            verdict("sync " + (w == 0 ? "prepared" : "ad-hoc") + " <= raw + RTT(audit POST)", median(overAudit) <= 0,
                    String.format("sync - (raw + RTT) = %+.1f us", median(overAudit)));
        }
    }

    private static void printCpu(double[][][] cpu) {
        System.out.println();
        System.out.println("Calling thread's CPU time per operation (median over rounds; excludes the servers' threads):");
        System.out.println();
        System.out.println("| workload | raw H2 mem CPU µs | raw H2 TCP CPU µs | sync CPU µs | async CPU µs | async - TCP CPU µs |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        for (int w = 0; w < WORKLOADS.length; w++) {
            double tcp = median(cpu[w][1]);
            double async = median(cpu[w][3]);
            System.out.printf("| %s | %.1f | %.1f | %.1f | %.1f | %+.1f |%n", WORKLOADS[w], median(cpu[w][0]), tcp,
                    median(cpu[w][2]), async, async - tcp);
        }
    }

    private static void printSplit(double[][][][] split, double[][][] postsPerOp) {
        System.out.println();
        System.out.println("CPU µs per operation by thread, including the untimed drain of the async backlog after each cell "
                + "(median over rounds); POSTs = audit POSTs the approval server logged per operation:");
        System.out.println();
        System.out.println("| workload | configuration | caller | audit shipper | approval server | H2 TCP server "
                + "| other threads | GC | JIT | whole process | POSTs/op |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (int w = 0; w < WORKLOADS.length; w++) {
            for (int c = 1; c < CONFIGS.length; c++) {
                double[][] parts = split[w][c];
                System.out.printf("| %s | %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.3f |%n", WORKLOADS[w], CONFIGS[c],
                        median(parts[CpuSplit.Part.CALLER.ordinal()]), median(parts[CpuSplit.Part.SHIPPER.ordinal()]),
                        median(parts[CpuSplit.Part.SERVER.ordinal()]), median(parts[CpuSplit.Part.H2_TCP.ordinal()]),
                        median(parts[CpuSplit.Part.OTHER_THREADS.ordinal()]), median(parts[CpuSplit.Part.GC.ordinal()]),
                        median(parts[CpuSplit.Part.JIT.ordinal()]), median(parts[CpuSplit.Part.PROCESS.ordinal()]),
                        median(postsPerOp[w][c]));
            }
        }
    }

    private static double ratio(double[][][] us, int w, int c, int rounds) {
        double[] r = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            r[i] = us[w][c][i] / us[w][1][i];
        }
        return median(r);
    }

    private static void verdict(String target, boolean met, String figure) {
        System.out.printf("  %-42s %-6s %s%n", target, met ? "MET" : "MISSED", figure);
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static double medianNanos(List<Long> samples) {
        long[] v = samples.stream().mapToLong(Long::longValue).sorted().toArray();
        return v.length == 0 ? Double.NaN : v[v.length / 2];
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return "unknown";
        }
    }
}

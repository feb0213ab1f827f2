package dev.lockbox.server.bench;

import dev.lockbox.api.admin.IssuedToken;
import dev.lockbox.api.admin.NewUser;
import dev.lockbox.api.admin.Role;
import dev.lockbox.api.admin.EnvironmentSpec;
import dev.lockbox.api.request.AccessLevel;
import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.api.request.NewAccessRequest;
import dev.lockbox.api.request.RequestDecision;
import dev.lockbox.server.LockboxServer;
import dev.lockbox.server.ServerConfig;
import dev.lockbox.server.testing.ApiClient;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code GET /api/grants/active} under load: a real server (H2 file store) on loopback, 50
 * engineers each with an approved grant, each client on its own keep-alive HTTP/1.1 connection.
 * With {@code -Dlockbox.bench.endpoint=status} the clients poll {@code GET /api/grants/{id}/status}
 * instead, which is what every driver JVM does every {@code grantCheckIntervalMs} (500 ms) per
 * grant in use ({@code /api/grants/active} is asked by the CLI; a driver's connect goes through
 * {@code POST /api/sessions}). Phases, after a warm-up that lasts until the JIT is quiet:
 * <ul>
 *   <li><b>closed loop</b> (max throughput): every client sends its next request as soon as the
 *       previous answer arrived. Latency then mostly measures the queue the clients themselves
 *       build (Little's law: mean latency = clients / throughput), so it says how fast, not how
 *       responsive.</li>
 *   <li><b>open loop</b> at fixed total rates (default 2,000 and 5,000 req/s): each client sends
 *       on a fixed schedule, and latency is measured from the <i>scheduled</i> send time, so a stall
 *       is charged to every request it delayed (no coordinated omission). Idle clients sleep,
 *       leaving the CPU to the server: this is the figure the p99 target is about.</li>
 * </ul>
 * Each phase also prints the process's CPU time per request (user and kernel; the clients' share
 * measured on their own threads, the rest is the server's) and the biggest consumers by thread.
 * The server logs as in production (logback.xml, one access line per request) to a file.
 *
 * <p>Run: {@code mvn -B -o -pl approval-server test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.lockbox.server.bench.GrantLookupBenchmark -Dexec.args="50 10 1000 2000 5000"}
 * (args: clients, seconds per phase, open-loop rates in req/s).
 */
public final class GrantLookupBenchmark {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int[] rates = args.length > 2 ? Arrays.stream(args, 2, args.length).mapToInt(Integer::parseInt).toArray() : new int[] {2000, 5000};
        boolean status = System.getProperty("lockbox.bench.endpoint", "active").equals("status");
        Path dir = Files.createTempDirectory("lockbox-bench");
        // The server logs as in production (logback.xml, not the tests' logback-test.xml): one access
        // line per request, to stderr, which goes to a file here as it would to a journal or log file.
        Path serverLog = dir.resolve("server-stderr.log");
        System.setErr(new PrintStream(new FileOutputStream(serverLog.toFile()), true, StandardCharsets.UTF_8));
        System.setProperty("logback.configurationFile", "logback.xml");
        String admin = "bench-admin-token-0123456789abcdef";
        ServerConfig cfg = ServerConfig.defaults().withPort(0).withDataDir(dir).withAdminToken(admin);
        System.out.printf("cores %d, load average at start: %s; endpoint %s; server log %s%n", Runtime.getRuntime().availableProcessors(),
                loadAverage(), status ? "GET /api/grants/{id}/status" : "GET /api/grants/active", serverLog);
        try (LockboxServer server = LockboxServer.start(cfg, Clock.systemUTC())) {
            ApiClient api = new ApiClient(server.baseUrl());
            String approver = api.post(admin, "/api/users", new NewUser("approver", List.of(Role.APPROVER), null, null))
                    .expect(201).as(IssuedToken.class).token();
            api.post(admin, "/api/environments", new EnvironmentSpec("bench", "Bench", "jdbc:h2:mem:bench", List.of("approver"),
                    null, "u", "p")).expect(201);
            String[] tokens = new String[clients];
            URI[] uris = new URI[clients];
            for (int i = 0; i < clients; i++) {
                tokens[i] = api.post(admin, "/api/users", new NewUser("eng" + i, List.of(Role.ENGINEER), null, null))
                        .expect(201).as(IssuedToken.class).token();
                AccessRequest r = api.post(tokens[i], "/api/requests", new NewAccessRequest("bench", "T-" + i, "benchmark",
                        AccessLevel.READ_ONLY, Duration.ofHours(8), null)).expect(201).as(AccessRequest.class);
                api.post(approver, "/api/requests/" + r.id() + "/approve", new RequestDecision(null)).expect(200);
                uris[i] = URI.create(server.baseUrl() + (status ? "/api/grants/" + r.id() + "/status" : "/api/grants/active?environment=bench"));
            }
            warmUp(uris, tokens);
            report("closed loop (max throughput)", clients, run(uris, tokens, seconds, 0));
            for (int rate : rates) report("open loop at " + rate + " req/s", clients, run(uris, tokens, seconds, rate));
        }
        System.out.printf("load average at end: %s%n", loadAverage());
        if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext logs) logs.stop(); // drains the access log
        try (var lines = Files.lines(serverLog)) {
            String marker = status ? " 200 " : "GET /api/grants/active 200 ";
            System.out.printf("access log: %d lines with \"%s\" (every request of every phase, warm-up included)%n",
                    lines.filter(l -> l.contains(marker) && l.contains("GET /api/grants/")).count(), marker.trim());
        }
    }

    /**
     * Closed-loop rounds of 5 s until the JIT compilers are quiet (under 5% of one core in a round)
     * or 90 s have passed: on 2 shared cores C2 keeps compiling Jetty's and Javalin's request path
     * for tens of seconds, and a phase measured meanwhile charges that one-off cost to every request.
     * A server runs for days; its first minute is not its steady state.
     */
    private static void warmUp(URI[] uris, String[] tokens) throws InterruptedException {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long started = System.nanoTime();
        for (int round = 1; ; round++) {
            long jit0 = jit.getTotalCompilationTime();
            Phase p = run(uris, tokens, 5, 0);
            long jitMs = jit.getTotalCompilationTime() - jit0;
            System.out.printf("warm-up round %d: %.0f req/s, JIT compiling %d ms of 5,000%n", round, p.sortedNanos.length / p.seconds, jitMs);
            if (jitMs < 250) return;
            if (System.nanoTime() - started > Duration.ofSeconds(90).toNanos()) {
                System.out.println("warm-up: the JIT is still compiling after 90 s; figures below include some of it");
                return;
            }
        }
    }

    /**
     * {@code cpu}: CPU time of this whole JVM (server and clients) in the phase, split into user and
     * kernel time; {@code clientCpuNanos}: the client threads' own share. Unlike latency, CPU time is
     * hardly moved by other processes.
     */
    private record Phase(long[] sortedNanos, double seconds, Cpu cpu, long clientCpuNanos, Map<String, Long> threadCpuNanos) {}

    /** CPU time (user + kernel, ns) of every thread of this process, by thread id; empty without procfs. */
    private static Map<String, ThreadCpu> threadCpu() {
        Map<String, ThreadCpu> out = new TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+", "#");
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    out.put(t.getFileName().toString(), new ThreadCpu(name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L));
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    /** A thread's name with digits folded ("lockbox-http-#") and its CPU time so far. */
    private record ThreadCpu(String name, long nanos) {}

    /** CPU used between the two snapshots by thread name; threads that ended in between are missing (their time is in the totals). */
    private static Map<String, Long> minus(Map<String, ThreadCpu> after, Map<String, ThreadCpu> before) {
        Map<String, Long> out = new TreeMap<>();
        after.forEach((tid, t) -> {
            ThreadCpu b = before.get(tid);
            out.merge(t.name(), t.nanos() - (b == null ? 0 : b.nanos()), Long::sum);
        });
        return out;
    }

    private static String topThreads(Map<String, Long> delta, int requests) {
        return delta.entrySet().stream().filter(e -> e.getValue() > 0).sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(6).map(e -> String.format("%s %.0f", e.getKey(), e.getValue() / 1e3 / requests)).collect(Collectors.joining(", "));
    }

    /** Process CPU time from {@code /proc/self/stat} (user, kernel), in nanoseconds; zeros where there is no procfs. */
    private record Cpu(long userNanos, long sysNanos) {
        static Cpu now() {
            try {
                String stat = Files.readString(Path.of("/proc/self/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long tick = 1_000_000_000L / 100; // USER_HZ is 100 on Linux
                return new Cpu(Long.parseLong(f[11]) * tick, Long.parseLong(f[12]) * tick);
            } catch (IOException | RuntimeException e) {
                return new Cpu(0, 0);
            }
        }

        Cpu minus(Cpu o) {
            return new Cpu(userNanos - o.userNanos, sysNanos - o.sysNanos);
        }
    }

    private static void report(String name, int clients, Phase p) {
        long[] all = p.sortedNanos;
        long total = p.cpu.userNanos + p.cpu.sysNanos;
        System.out.printf("%-30s %d clients, %.0f s: %d requests, %.0f req/s, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms,"
                        + " CPU/request %.0f us (user %.0f, kernel %.0f; clients %.0f, server %.0f)%n",
                name, clients, p.seconds, all.length, all.length / p.seconds, pct(all, 0.50), pct(all, 0.99), pct(all, 0.999),
                all[all.length - 1] / 1e6, total / 1e3 / all.length, p.cpu.userNanos / 1e3 / all.length,
                p.cpu.sysNanos / 1e3 / all.length, p.clientCpuNanos / 1e3 / all.length,
                (total - p.clientCpuNanos) / 1e3 / all.length);
        System.out.printf("%-30s CPU/request by thread (us): %s%n", "", topThreads(p.threadCpuNanos, all.length));
    }

    /** {@code rate} 0 = closed loop; otherwise the total requests per second, spread evenly over the clients. */
    private static Phase run(URI[] uris, String[] tokens, int seconds, int rate) throws InterruptedException {
        Cpu cpu0 = Cpu.now();
        Map<String, ThreadCpu> threads0 = threadCpu();
        AtomicLong clientCpu = new AtomicLong();
        long start = System.nanoTime();
        long deadline = start + Duration.ofSeconds(seconds).toNanos();
        long interval = rate == 0 ? 0 : (long) (tokens.length * 1e9 / rate);
        long[][] samples = new long[tokens.length][];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(tokens.length);
        for (int i = 0; i < tokens.length; i++) {
            int me = i;
            Thread t = new Thread(() -> {
                long[] lat = new long[1 << 12];
                int n = 0;
                long threadCpu0 = THREADS.getCurrentThreadCpuTime();
                try (KeepAliveClient http = new KeepAliveClient(uris[me], tokens[me])) {
                    // open loop: client i's k-th request is due at start + offset_i + k * interval
                    long due = start + (interval * me) / tokens.length;
                    while (true) {
                        long s;
                        if (interval == 0) {
                            s = System.nanoTime();
                        } else {
                            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) LockSupport.parkNanos(wait);
                            s = due;
                            due += interval;
                        }
                        if (s >= deadline) break;
                        int status = http.get();
                        long d = System.nanoTime() - s;
                        if (status != 200) throw new IllegalStateException("HTTP " + status);
                        if (n == lat.length) lat = Arrays.copyOf(lat, n * 2);
                        lat[n++] = d;
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    clientCpu.addAndGet(THREADS.getCurrentThreadCpuTime() - threadCpu0);
                    samples[me] = Arrays.copyOf(lat, n);
                    done.countDown();
                }
            }, "bench-client-" + i);
            t.start();
        }
        done.await();
        if (failure.get() != null) throw new IllegalStateException("a client failed", failure.get());
        double elapsed = (Math.max(System.nanoTime(), deadline) - start) / 1e9;
        return new Phase(Arrays.stream(samples).flatMapToLong(Arrays::stream).sorted().toArray(), Math.min(elapsed, seconds + 0.0),
                Cpu.now().minus(cpu0), clientCpu.get(), minus(threadCpu(), threads0));
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * A minimal HTTP/1.1 keep-alive client on one socket: on a 2-core machine the load generator
     * shares the CPUs with the server, so it must cost as little as possible per request (the
     * JDK HttpClient runs a selector thread per client and would measure itself).
     */
    static final class KeepAliveClient implements AutoCloseable {
        private final Socket socket;
        private final BufferedInputStream in;
        private final OutputStream out;
        private final byte[] request;

        KeepAliveClient(URI uri, String token) throws IOException {
            socket = new Socket(uri.getHost(), uri.getPort());
            socket.setTcpNoDelay(true);
            in = new BufferedInputStream(socket.getInputStream(), 16384);
            out = socket.getOutputStream();
            request = ("GET " + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()) + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                    + "\r\nAuthorization: Bearer " + token + "\r\nAccept: application/json\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        }

        int get() throws IOException {
            out.write(request);
            out.flush();
            String status = line();
            int length = -1;
            boolean chunked = false;
            for (String h = line(); !h.isEmpty(); h = line()) {
                String lower = h.toLowerCase(java.util.Locale.ROOT);
                if (lower.startsWith("content-length:")) length = Integer.parseInt(h.substring(15).trim());
                if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) chunked = true;
            }
            if (chunked) {
                for (int size = Integer.parseInt(line().trim(), 16); size > 0; size = Integer.parseInt(line().trim(), 16)) {
                    in.readNBytes(size);
                    line();
                }
                line();
            } else if (length >= 0) {
                in.readNBytes(length);
            } else {
                throw new IOException("response without length");
            }
            return Integer.parseInt(status.substring(9, 12));
        }

        private String line() throws IOException {
            StringBuilder b = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) throw new IOException("connection closed");
                if (c != '\r') b.append((char) c);
            }
            return b.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static double pct(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }
}

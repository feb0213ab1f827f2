package dev.lockbox.server.bench;

import dev.lockbox.api.admin.EnvironmentSpec;
import dev.lockbox.api.admin.IssuedToken;
import dev.lockbox.api.admin.NewUser;
import dev.lockbox.api.admin.Role;
import dev.lockbox.api.request.AccessLevel;
import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.api.request.NewAccessRequest;
import dev.lockbox.api.request.RequestDecision;
import dev.lockbox.server.testing.ApiClient;
import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /api/grants/active} under load: a real server (H2 file store) on loopback, 50
 * engineers each with an approved grant, each client on its own keep-alive HTTP/1.1 connection.
 * The server runs as its own JVM with the production JVM options ({@link ServerProcess}); this JVM
 * only generates the load, so what is measured is the server's garbage collector and JIT.
 * With {@code -Dlockbox.bench.endpoint=status} the clients poll {@code GET /api/grants/{id}/status}
 * instead, which is what every driver JVM does every {@code grantCheckIntervalMs} (500 ms) per
 * grant in use. Phases, after a warm-up (closed and open loop) that lasts until both JVMs' JIT
 * compilers are quiet:
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
 * Each phase also prints CPU time per request (from procfs): the server process's (user and
 * kernel, and its biggest threads) and the load generator's.
 * With {@code -Dlockbox.bench.wrk=/usr/bin/wrk} a last closed-loop phase (after one of warm-up) runs
 * wrk, a load generator written in C (Debian package {@code wrk}), with one connection per client.
 *
 * <p>Run: {@code approval-server/bench/grant-lookup.sh 50 10 2000 5000} (args: clients, seconds
 * per phase, open-loop rates in req/s; see docs/benchmarks.md). System properties:
 * {@code lockbox.bench.serverOptions} (the server's JVM argument file, default
 * {@code approval-server/server-jvm.options}), {@code lockbox.bench.endpoint}.
 */
public final class GrantLookupBenchmark {
    private static final long SELF = ProcessHandle.current().pid();

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int[] rates = args.length > 2 ? Arrays.stream(args, 2, args.length).mapToInt(Integer::parseInt).toArray() : new int[] {2000, 5000};
        boolean status = System.getProperty("lockbox.bench.endpoint", "active").equals("status");
        Path options = serverOptions();
        Path dir = Files.createTempDirectory("lockbox-bench");
        String admin = "bench-admin-token-0123456789abcdef";
        System.out.printf("cores %d, load average at start: %s; endpoint %s%n", Runtime.getRuntime().availableProcessors(),
                loadAverage(), status ? "GET /api/grants/{id}/status" : "GET /api/grants/active");
        System.out.printf("server JVM options (%s): %s%n", options, String.join(" ", optionLines(options)));
        System.out.printf("load generator JVM: %s%n", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        ServerProcess server = ServerProcess.start(options, dir.resolve("data"), admin);
        System.out.printf("server pid %d at %s, log %s%n", server.pid(), server.baseUrl(), server.log());
        try {
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
            warmUp(server.pid(), uris, tokens, rates.length > 0 ? rates[0] : 0);
            report("closed loop (max throughput)", clients, run(server.pid(), uris, tokens, seconds, 0));
            for (int rate : rates) report("open loop at " + rate + " req/s", clients, run(server.pid(), uris, tokens, seconds, rate));
            String wrk = System.getProperty("lockbox.bench.wrk");
            if (wrk != null) runWrk(wrk, server.pid(), uris, tokens, seconds, dir);
        } finally {
            server.close();
        }
        System.out.printf("load average at end: %s%n", loadAverage());
        try (var lines = Files.lines(server.log())) {
            String marker = status ? " 200 " : "GET /api/grants/active 200 ";
            System.out.printf("server access log: %d lines with \"%s\" (every request of every phase, warm-up included)%n",
                    lines.filter(l -> l.contains(marker) && l.contains("GET /api/grants/")).count(), marker.trim());
        }
    }

    private static Path serverOptions() {
        String configured = System.getProperty("lockbox.bench.serverOptions");
        if (configured != null) return Path.of(configured);
        for (Path p : List.of(Path.of("approval-server", "server-jvm.options"), Path.of("server-jvm.options"))) {
            if (Files.isRegularFile(p)) return p;
        }
        throw new IllegalStateException("run from the repository root (approval-server/server-jvm.options not found) or set -Dlockbox.bench.serverOptions");
    }

    /** The options of a {@code java @file} argument file, comments dropped. */
    private static List<String> optionLines(Path file) throws IOException {
        return Files.readAllLines(file).stream().map(l -> l.replaceAll("#.*", "").trim()).filter(l -> !l.isEmpty()).toList();
    }

    /**
     * Rounds of 5 s closed loop then 5 s open loop (at the first open-loop rate) until the JIT
     * compilers of both JVMs are quiet (under 5% of one core in a round) or 90 s have passed: on 2
     * shared cores C2 keeps compiling Jetty's and Javalin's request path for tens of seconds, and
     * a phase measured meanwhile charges that one-off cost to every request. The open-loop half
     * matters: idle threads that wake per request take code paths the closed loop never runs, and
     * without it C2 compiled them during the first open-loop phase. A server runs for days; its
     * first minute is not its steady state.
     */
    private static void warmUp(long serverPid, URI[] uris, String[] tokens, int openRate) throws InterruptedException {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long started = System.nanoTime();
        for (int round = 1; ; round++) {
            long clientJit0 = jit.getTotalCompilationTime();
            Phase closed = run(serverPid, uris, tokens, 5, 0);
            Phase open = openRate > 0 ? run(serverPid, uris, tokens, 5, openRate) : null;
            long serverJitMs = (closed.server.compilerNanos() + (open == null ? 0 : open.server.compilerNanos())) / 1_000_000;
            long clientJitMs = jit.getTotalCompilationTime() - clientJit0;
            long roundMs = open == null ? 5_000 : 10_000;
            System.out.printf("warm-up round %d: closed loop %.0f req/s%s, JIT compiling: server %d ms, load generator %d ms of %,d%n",
                    round, closed.sortedNanos.length / closed.seconds, open == null ? "" : ", open loop " + openRate + " req/s",
                    serverJitMs, clientJitMs, roundMs);
            if (serverJitMs < roundMs / 20 && clientJitMs < roundMs / 20) return;
            if (System.nanoTime() - started > Duration.ofSeconds(90).toNanos()) {
                System.out.println("warm-up: the JIT is still compiling after 90 s; figures below include some of it");
                return;
            }
        }
    }

    /** One phase: latencies (sorted, ns), its length, and the CPU both processes used in it. */
    private record Phase(long[] sortedNanos, double seconds, ProcStat server, ProcStat clients, String machine) {}

    private static void report(String name, int clients, Phase p) {
        long[] all = p.sortedNanos;
        long n = all.length;
        System.out.printf("%-30s %d clients, %.0f s: %d requests, %.0f req/s, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms%n",
                name, clients, p.seconds, n, n / p.seconds, pct(all, 0.50), pct(all, 0.99), pct(all, 0.999), all[all.length - 1] / 1e6);
        System.out.printf("%-30s CPU/request %.0f us: server %.0f (user %.0f, kernel %.0f), load generator %.0f (user %.0f, kernel %.0f)%n", "",
                (p.server.totalNanos() + p.clients.totalNanos()) / 1e3 / n, p.server.totalNanos() / 1e3 / n, p.server.userNanos() / 1e3 / n,
                p.server.sysNanos() / 1e3 / n, p.clients.totalNanos() / 1e3 / n, p.clients.userNanos() / 1e3 / n, p.clients.sysNanos() / 1e3 / n);
        System.out.printf("%-30s server CPU/request by thread (us): %s%n", "", p.server.topThreads(n));
        System.out.printf("%-30s %s%n", "", p.machine);
    }

    /** {@code rate} 0 = closed loop; otherwise the total requests per second, spread evenly over the clients. */
    private static Phase run(long serverPid, URI[] uris, String[] tokens, int seconds, int rate) throws InterruptedException {
        ProcStat server0 = ProcStat.of(serverPid);
        ProcStat clients0 = ProcStat.of(SELF);
        MachineCpu machine0 = MachineCpu.now();
        long start = System.nanoTime();
        long deadline = start + Duration.ofSeconds(seconds).toNanos();
        long interval = rate == 0 ? 0 : (long) (tokens.length * 1e9 / rate);
        long[][] samples = new long[tokens.length][];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(tokens.length);
        for (int i = 0; i < tokens.length; i++) {
            int me = i;
            // room for every sample of the phase up front: no copying (and no garbage) while measuring
            int capacity = (int) Math.min(1 << 24, (interval == 0 ? 50_000L : rate) * seconds / tokens.length + 1024);
            Thread t = new Thread(() -> {
                long[] lat = new long[capacity];
                int n = 0;
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
                    samples[me] = Arrays.copyOf(lat, n);
                    done.countDown();
                }
            }, "bench-client-" + i);
            t.start();
        }
        done.await();
        ProcStat server = ProcStat.of(serverPid).minus(server0);
        ProcStat clients = ProcStat.of(SELF).minus(clients0);
        MachineCpu machine = MachineCpu.now();
        if (failure.get() != null) throw new IllegalStateException("a client failed", failure.get());
        double elapsed = (Math.max(System.nanoTime(), deadline) - start) / 1e9;
        return new Phase(Arrays.stream(samples).flatMapToLong(Arrays::stream).sorted().toArray(), Math.min(elapsed, seconds + 0.0),
                server, clients, machine.since(machine0, server.totalNanos() + clients.totalNanos(), (System.nanoTime() - start) / 1e9));
    }

    /**
     * The closed loop again, with wrk (a load generator written in C, Debian package {@code wrk}) in
     * place of this JVM's clients: {@code clients} connections on 2 threads, each request with the next
     * engineer's token in turn (every engineer has its own grant). wrk needs a third as much CPU per
     * request as the Java clients, which leaves more of the 2 cores to the server; its output is
     * printed as it is, then the server's CPU per request.
     */
    private static void runWrk(String wrk, long serverPid, URI[] uris, String[] tokens, int seconds, Path dir)
            throws IOException, InterruptedException {
        StringBuilder lua = new StringBuilder("local tokens = {");
        for (String t : tokens) lua.append('"').append(t).append("\",");
        lua.append("}\nlocal i = 0\nrequest = function()\n  i = i % #tokens + 1\n")
                .append("  return wrk.format(\"GET\", nil, {[\"Authorization\"] = \"Bearer \" .. tokens[i]})\nend\n");
        Path script = dir.resolve("tokens.lua");
        Files.writeString(script, lua);
        for (String phase : List.of("warm-up", "measured")) {
            ProcStat server0 = ProcStat.of(serverPid);
            ProcStat self0 = ProcStat.of(SELF);
            long wrk0 = ProcStat.reapedChildrenNanos();
            MachineCpu machine0 = MachineCpu.now();
            long start = System.nanoTime();
            Process p = new ProcessBuilder(wrk, "-t2", "-c" + tokens.length, "-d" + seconds + "s", "--latency", "-s", script.toString(),
                    uris[0].toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0 || out.contains("Non-2xx") || out.contains("Socket errors")) {
                throw new IllegalStateException("wrk failed or got answers other than 200: " + out);
            }
            ProcStat server = ProcStat.of(serverPid).minus(server0);
            long wrkNanos = ProcStat.reapedChildrenNanos() - wrk0;
            String machine = MachineCpu.now().since(machine0, server.totalNanos() + wrkNanos + ProcStat.of(SELF).minus(self0).totalNanos(),
                    (System.nanoTime() - start) / 1e9);
            Matcher m = Pattern.compile("(\\d+) requests in").matcher(out);
            long n = m.find() ? Long.parseLong(m.group(1)) : 0;
            System.out.printf("wrk closed loop (%s), %d connections, load average %s:%n%s", phase, tokens.length, loadAverage(), out);
            if (n > 0) System.out.printf("CPU/request: server %.0f us (user %.0f, kernel %.0f), wrk %.0f us; server by thread (us): %s%n",
                    server.totalNanos() / 1e3 / n, server.userNanos() / 1e3 / n, server.sysNanos() / 1e3 / n, wrkNanos / 1e3 / n,
                    server.topThreads(n));
            System.out.println(machine);
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static double pct(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }
}

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
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code GET /api/grants/active} under load: a real server (H2 file store) on loopback, 50
 * engineers each with an approved grant, 50 client threads each looping on its own keep-alive
 * connection. Prints p50/p99/max latency and requests per second over the measured phase.
 *
 * <p>Run: {@code mvn -B -o -pl approval-server test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.lockbox.server.bench.GrantLookupBenchmark} (optional args: clients, seconds).
 */
public final class GrantLookupBenchmark {
    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Path dir = Files.createTempDirectory("lockbox-bench");
        String admin = "bench-admin-token-0123456789abcdef";
        ServerConfig cfg = ServerConfig.defaults().withPort(0).withDataDir(dir).withAdminToken(admin);
        ch.qos.logback.classic.Logger access = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.lockbox.server.access");
        access.setLevel(ch.qos.logback.classic.Level.WARN); // one line per request would measure the console, not the server
        try (LockboxServer server = LockboxServer.start(cfg, Clock.systemUTC())) {
            ApiClient api = new ApiClient(server.baseUrl());
            String approver = api.post(admin, "/api/users", new NewUser("approver", List.of(Role.APPROVER), null, null))
                    .expect(201).as(IssuedToken.class).token();
            api.post(admin, "/api/environments", new EnvironmentSpec("bench", "Bench", "jdbc:h2:mem:bench", List.of("approver"),
                    null, "u", "p")).expect(201);
            String[] tokens = new String[clients];
            for (int i = 0; i < clients; i++) {
                tokens[i] = api.post(admin, "/api/users", new NewUser("eng" + i, List.of(Role.ENGINEER), null, null))
                        .expect(201).as(IssuedToken.class).token();
                AccessRequest r = api.post(tokens[i], "/api/requests", new NewAccessRequest("bench", "T-" + i, "benchmark",
                        AccessLevel.READ_ONLY, Duration.ofHours(8), null)).expect(201).as(AccessRequest.class);
                api.post(approver, "/api/requests/" + r.id() + "/approve", new RequestDecision(null)).expect(200);
            }
            URI uri = URI.create(server.baseUrl() + "/api/grants/active?environment=bench");
            run(uri, tokens, 5, null); // warm-up: JIT, connection setup, caches
            long[][] samples = new long[clients][];
            long t0 = System.nanoTime();
            long total = run(uri, tokens, seconds, samples);
            double elapsed = (System.nanoTime() - t0) / 1e9;
            long[] all = Arrays.stream(samples).flatMapToLong(Arrays::stream).sorted().toArray();
            System.out.printf("GET /api/grants/active: %d clients, %d s, %d requests%n", clients, seconds, total);
            System.out.printf("p50 %.2f ms, p99 %.2f ms, max %.2f ms, %.0f req/s%n",
                    pct(all, 0.50), pct(all, 0.99), all[all.length - 1] / 1e6, total / elapsed);
        }
    }

    private static long run(URI uri, String[] tokens, int seconds, long[][] samples) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        AtomicLong count = new AtomicLong();
        CountDownLatch done = new CountDownLatch(tokens.length);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < tokens.length; i++) {
            int me = i;
            Thread t = new Thread(() -> {
                long[] lat = new long[1 << 16];
                int n = 0;
                try (KeepAliveClient http = new KeepAliveClient(uri, tokens[me])) {
                    while (System.nanoTime() < deadline) {
                        long s = System.nanoTime();
                        int status = http.get();
                        long d = System.nanoTime() - s;
                        if (status != 200) throw new IllegalStateException("HTTP " + status);
                        if (n == lat.length) lat = Arrays.copyOf(lat, n * 2);
                        lat[n++] = d;
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                } finally {
                    count.addAndGet(n);
                    if (samples != null) samples[me] = Arrays.copyOf(lat, n);
                    done.countDown();
                }
            }, "bench-client-" + i);
            threads.add(t);
            t.start();
        }
        done.await();
        return count.get();
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
            request = ("GET " + uri.getRawPath() + "?" + uri.getRawQuery() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
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

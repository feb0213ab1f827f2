package dev.lockbox.driver.bench;

import dev.lockbox.server.LockboxServer;
import dev.lockbox.server.ServerConfig;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;

/**
 * Loopback {@code GET /healthz} against a real approval server with several HTTP clients, to
 * separate what the client costs from what the server costs: the JDK HttpClient (HTTP/1.1, the
 * driver's transport until 2026-11-29; also with a direct executor), HttpURLConnection with
 * keep-alive (the driver's transport since), and a bare socket writing one fixed HTTP/1.1
 * request (the floor: no client library at all). Median µs per round trip, interleaved rounds.
 *
 * <p>Run: {@code mvn -B -o -pl driver test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.lockbox.driver.bench.LoopbackHttpClients [-Dexec.args="ROUNDS MS"]}
 */
public final class LoopbackHttpClients {
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        long ms = args.length > 1 ? Long.parseLong(args[1]) : 500;
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("ROOT");
        root.setLevel(ch.qos.logback.classic.Level.WARN);
        try (LockboxServer server = LockboxServer.start(ServerConfig.defaults().withPort(0)
                .withDataDir(Files.createTempDirectory("lockbox-http-bench")).withAdminToken("bench-admin-token-0123456789abcdef"),
                Clock.systemUTC())) {
            URI uri = URI.create(server.baseUrl() + "/healthz");
            HttpClient jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
            HttpClient jdkDirect = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(Runnable::run)
                    .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
            HttpRequest get = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build();
            Socket socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
            byte[] raw = ("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            String[] names = {"JDK HttpClient", "HttpURLConnection", "bare socket", "JDK HttpClient, direct executor"};
            com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            double[][] med = new double[names.length][rounds];
            double[][] cpu = new double[names.length][rounds];
            for (int r = -1; r < rounds; r++) {
                for (int k = 0; k < names.length; k++) {
                    int c = (k + Math.max(r, 0)) % names.length;
                    long[] samples = new long[200_000];
                    int n = 0;
                    long cpu0 = os.getProcessCpuTime();
                    long end = System.nanoTime() + ms * 1_000_000;
                    while (System.nanoTime() < end && n < samples.length) {
                        long t = System.nanoTime();
                        switch (c) {
                            case 0 -> {
                                HttpResponse<byte[]> resp = jdk.send(get, HttpResponse.BodyHandlers.ofByteArray());
                                if (resp.statusCode() != 200) throw new IllegalStateException("" + resp.statusCode());
                            }
                            case 1 -> {
                                HttpURLConnection u = (HttpURLConnection) new URL(uri.toString()).openConnection();
                                if (u.getResponseCode() != 200) throw new IllegalStateException("" + u.getResponseCode());
                                try (InputStream in = u.getInputStream()) { in.readAllBytes(); }
                            }
                            case 2 -> bare(socket, raw);
                            default -> {
                                HttpResponse<byte[]> resp = jdkDirect.send(get, HttpResponse.BodyHandlers.ofByteArray());
                                if (resp.statusCode() != 200) throw new IllegalStateException("" + resp.statusCode());
                            }
                        }
                        samples[n++] = System.nanoTime() - t;
                    }
                    double cpuUs = (os.getProcessCpuTime() - cpu0) / 1000.0 / n;
                    long[] s = Arrays.copyOf(samples, n);
                    Arrays.sort(s);
                    if (r >= 0) {
                        med[c][r] = s[n / 2] / 1000.0;
                        cpu[c][r] = cpuUs;
                        System.out.printf("round %d %-31s n=%6d p50 %7.1f us  p90 %7.1f us  p99 %8.1f us  process CPU %6.1f us/req%n",
                                r, names[c], n, s[n / 2] / 1000.0, s[n * 9 / 10] / 1000.0, s[n * 99 / 100] / 1000.0, cpuUs);
                    }
                }
            }
            for (int c = 0; c < names.length; c++) {
                double[] m = med[c].clone();
                Arrays.sort(m);
                double[] u = cpu[c].clone();
                Arrays.sort(u);
                System.out.printf("%-31s median of round medians %.1f us, process CPU %.1f us/request (client + server)%n",
                        names[c], m[m.length / 2], u[u.length / 2]);
            }
            socket.close();
        }
    }

    /** One request on a kept-alive socket; reads the response by Content-Length. */
    private static void bare(Socket socket, byte[] request) throws Exception {
        OutputStream out = socket.getOutputStream();
        out.write(request);
        out.flush();
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            head.append((char) b);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) break;
        }
        String h = head.toString().toLowerCase();
        int i = h.indexOf("content-length:");
        int len = Integer.parseInt(h.substring(i + 15, h.indexOf('\r', i)).trim());
        in.readNBytes(len);
    }
}

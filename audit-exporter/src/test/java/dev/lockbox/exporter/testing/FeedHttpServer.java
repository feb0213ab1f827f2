package dev.lockbox.exporter.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lockbox.api.ApiError;
import dev.lockbox.api.LockboxJson;
import dev.lockbox.api.audit.AuditEventPage;
import dev.lockbox.exporter.feed.AuditEventSource;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@code GET /api/audit/events} and {@code GET /api/audit/environments} as the approval server serves them (bearer auditor token, pages of
 * real JSON), on 127.0.0.1 and a free port, backed by a test source.
 */
public final class FeedHttpServer implements AutoCloseable {
    private final HttpServer server;
    private final AuditEventSource source;
    private final String token;
    private final ObjectMapper json = LockboxJson.newMapper();
    private final int maxLimit;
    public final List<String> requests = new CopyOnWriteArrayList<>();

    public FeedHttpServer(AuditEventSource source, String token, int maxLimit) throws IOException {
        this.source = source;
        this.token = token;
        this.maxLimit = maxLimit;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/audit/events", this::handle);
        server.createContext("/api/audit/environments", this::listEnvironments);
        server.start();
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            requests.add(ex.getRequestURI().toString());
            if (!("Bearer " + token).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                send(ex, 401, new ApiError("unauthenticated", "A valid bearer token is required."));
                return;
            }
            Map<String, String> q = query(ex.getRequestURI());
            String env = q.get("environment");
            if (env == null || !source.environments().contains(env)) {
                send(ex, 404, new ApiError("unknown_environment", "No environment '" + env + "'."));
                return;
            }
            long after = Long.parseLong(q.getOrDefault("afterSequence", "0"));
            int limit = Math.min(maxLimit, Integer.parseInt(q.getOrDefault("limit", "100")));
            AuditEventPage page = source.page(env, after, limit);
            send(ex, 200, page);
        }
    }

    private void listEnvironments(HttpExchange ex) throws IOException {
        try (ex) {
            requests.add(ex.getRequestURI().toString());
            if (!("Bearer " + token).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                send(ex, 401, new ApiError("unauthenticated", "A valid bearer token is required."));
                return;
            }
            send(ex, 200, source.environments());
        }
    }

    private void send(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> q = new HashMap<>();
        if (uri.getRawQuery() == null) return q;
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return q;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

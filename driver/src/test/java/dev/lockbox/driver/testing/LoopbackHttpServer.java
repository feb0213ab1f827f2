package dev.lockbox.driver.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lockbox.api.ApiError;
import dev.lockbox.api.LockboxJson;
import dev.lockbox.api.audit.AuditBatch;
import dev.lockbox.api.grant.SessionOpen;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A JDK HttpServer on 127.0.0.1 speaking the approval server's HTTP contract in front of an
 * {@link InMemoryLockboxServer}, or answering canned responses per path (garbage, 500, ...).
 */
public final class LoopbackHttpServer implements AutoCloseable {
    private static final ObjectMapper JSON = LockboxJson.newMapper();

    /** A canned answer for a path prefix, overriding the contract. */
    public record Canned(int status, String body, long delayMs) {}

    private final HttpServer http;
    private final InMemoryLockboxServer backend;
    public final String token;
    public final Map<String, Canned> canned = new ConcurrentHashMap<>();
    public final List<String> authorizations = new CopyOnWriteArrayList<>();
    /** The client's source port of each request: equal ports mean a kept-alive connection was reused. */
    public final List<Integer> clientPorts = new CopyOnWriteArrayList<>();

    public LoopbackHttpServer(InMemoryLockboxServer backend, String token) throws IOException {
        this.backend = backend;
        this.token = token;
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "loopback-http");
            t.setDaemon(true);
            return t;
        }));
        http.createContext("/", this::handle);
        http.start();
    }

    public int port() {
        return http.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            byte[] body = ex.getRequestBody().readAllBytes();
            authorizations.add(ex.getRequestHeaders().getFirst("Authorization"));
            clientPorts.add(ex.getRemoteAddress().getPort());
            for (Map.Entry<String, Canned> c : canned.entrySet()) {
                if (path.startsWith(c.getKey())) {
                    if (c.getValue().delayMs() > 0) {
                        Thread.sleep(c.getValue().delayMs()); // simulates a hanging server, not test timing
                    }
                    send(ex, c.getValue().status(), c.getValue().body());
                    return;
                }
            }
            if (!("Bearer " + token).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                send(ex, 401, JSON.writeValueAsString(new ApiError("unauthenticated", "Unknown or missing API token.")));
                return;
            }
            try {
                if (method.equals("POST") && path.equals("/api/sessions")) {
                    send(ex, 201, JSON.writeValueAsString(backend.openSession(JSON.readValue(body, SessionOpen.class))));
                } else if (method.equals("DELETE") && path.startsWith("/api/sessions/")) {
                    backend.closeSession(path.substring("/api/sessions/".length()));
                    send(ex, 204, null);
                } else if (method.equals("GET") && path.matches("/api/grants/[^/]+/status")) {
                    send(ex, 200, JSON.writeValueAsString(backend.grantStatus(path.split("/")[3])));
                } else if (method.equals("POST") && path.equals("/api/audit/events")) {
                    send(ex, 200, JSON.writeValueAsString(backend.submitAudit(JSON.readValue(body, AuditBatch.class))));
                } else {
                    send(ex, 404, JSON.writeValueAsString(new ApiError("not_found", "No such endpoint.")));
                }
            } catch (SQLException e) {
                // the backend's refusals carry the GrantRefusal code after the last '[' or as the message
                int status = "28000".equals(e.getSQLState()) ? 404 : 503;
                send(ex, status, JSON.writeValueAsString(new ApiError(
                        status == 404 ? "request_pending" : "unavailable", e.getMessage())));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        if (body == null) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        http.stop(0);
    }
}

package dev.lockbox.exporter.feed;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockbox.api.ApiError;
import dev.lockbox.api.LockboxJson;
import dev.lockbox.api.audit.AuditEventPage;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Reads the approval server's audit feed, {@code GET /api/audit/events}, with an auditor token.
 * The environments are the ones given, or, when none are, every environment the server has audit
 * events for ({@code GET /api/audit/environments}, asked at each pass so new ones are picked up).
 */
public final class HttpAuditEventSource implements AuditEventSource {
    /** DESIGN.md: environment names are {@code [a-z0-9][a-z0-9-]{0,62}}. */
    public static final Pattern ENVIRONMENT_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private final URI server;
    private final String token;
    private final List<String> environments;
    private final HttpClient http;
    private final ObjectMapper json = LockboxJson.newMapper();
    private final Duration requestTimeout;

    public HttpAuditEventSource(URI server, String token, List<String> environments) {
        this(server, token, environments, Duration.ofSeconds(60));
    }

    public HttpAuditEventSource(URI server, String token, List<String> environments, Duration requestTimeout) {
        Objects.requireNonNull(server, "server");
        if (!"http".equals(server.getScheme()) && !"https".equals(server.getScheme())) {
            throw new IllegalArgumentException("server must be an http: or https: URL, got " + server);
        }
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("an auditor token is needed to read the audit feed");
        }
        for (String env : environments) {
            if (!ENVIRONMENT_NAME.matcher(env).matches()) {
                throw new IllegalArgumentException("not an environment name: '" + env + "'");
            }
        }
        String base = server.toString();
        this.server = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        this.token = token;
        this.environments = List.copyOf(environments);
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    @Override
    public AuditEventPage page(String environment, long afterSequence, int limit) {
        byte[] body = get("/api/audit/events?environment=" + URLEncoder.encode(environment, StandardCharsets.UTF_8)
                + "&afterSequence=" + afterSequence + "&limit=" + limit, "environment " + environment);
        AuditEventPage page;
        try {
            page = json.readValue(body, AuditEventPage.class);
        } catch (IOException e) {
            throw new AuditFeedException("audit feed answered JSON that is not an AuditEventPage: " + e.getMessage(), e);
        }
        if (page.events() == null || !environment.equals(page.environment())) {
            throw new AuditFeedException("audit feed answered a page for environment '" + page.environment()
                    + "' when asked for '" + environment + "'");
        }
        return page;
    }

    @Override
    public List<String> environments() {
        if (!environments.isEmpty()) return environments;
        List<String> listed;
        try {
            listed = json.readValue(get("/api/audit/environments", "the environment list"),
                    new TypeReference<List<String>>() {});
        } catch (IOException e) {
            throw new AuditFeedException("audit feed answered an environment list that is not a JSON array of names: "
                    + e.getMessage(), e);
        }
        for (String env : listed) {
            if (env == null || !ENVIRONMENT_NAME.matcher(env).matches()) {
                throw new AuditFeedException("audit feed listed '" + env + "', which is not an environment name");
            }
        }
        return List.copyOf(listed);
    }

    private byte[] get(String pathAndQuery, String what) {
        URI uri = URI.create(server + pathAndQuery);
        HttpRequest request = HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .timeout(requestTimeout)
                .GET()
                .build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new AuditFeedException("cannot reach the audit feed at " + server + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditFeedException("interrupted while reading the audit feed", e);
        }
        if (response.statusCode() != 200) {
            throw new AuditFeedException("audit feed answered " + response.statusCode() + " for " + what + ": "
                    + errorMessage(response.body()));
        }
        return response.body();
    }

    private String errorMessage(byte[] body) {
        try {
            ApiError error = json.readValue(body, ApiError.class);
            return error.error() + ": " + error.message();
        } catch (JsonProcessingException e) {
            return new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable body)";
        }
    }
}

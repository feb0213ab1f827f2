package dev.lockbox.cli.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockbox.api.ApiError;
import dev.lockbox.api.LockboxJson;
import dev.lockbox.api.admin.Environment;
import dev.lockbox.api.admin.EnvironmentSpec;
import dev.lockbox.api.admin.IssuedToken;
import dev.lockbox.api.admin.LockboxPolicy;
import dev.lockbox.api.admin.NewUser;
import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.grant.ActiveGrant;
import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.api.request.NewAccessRequest;
import dev.lockbox.api.request.RequestDecision;
import dev.lockbox.api.request.RequestStatus;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The approval server's HTTP API as the CLI and the demo use it ({@code docs/api.md}): JSON through
 * {@link LockboxJson}, {@code Authorization: Bearer}. A non-2xx answer becomes a {@link LockboxApiException}
 * carrying the server's {@link ApiError}; an unreachable server a {@link CliException} with
 * {@link ExitCode#UNREACHABLE}.
 */
public final class LockboxClient {
    /** Request ids go into URL paths: anything else (a slash, dots) could address another endpoint. */
    /** The server's largest page of a request's audit trail. */
    private static final int AUDIT_PAGE = 10_000;
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,127}");

    private final ServerCredentials credentials;
    private final HttpClient http;
    private final ObjectMapper json = LockboxJson.newMapper();
    private final Duration timeout;

    public LockboxClient(ServerCredentials credentials) {
        this(credentials, Duration.ofSeconds(30));
    }

    public LockboxClient(ServerCredentials credentials, Duration timeout) {
        this.credentials = credentials;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    public ServerCredentials credentials() {
        return credentials;
    }

    // --- requests -------------------------------------------------------------------------------

    public AccessRequest createRequest(NewAccessRequest body) {
        return send("POST", "/api/requests", body, new TypeReference<AccessRequest>() {});
    }

    /** The caller's visible requests of the last {@code recentDays} days (server default when null). */
    public List<AccessRequest> recentRequests(RequestStatus status, String environment, Integer recentDays) {
        List<String> query = new ArrayList<>();
        if (status != null) query.add("status=" + status.name());
        if (environment != null) query.add("environment=" + encode(environment));
        if (recentDays != null) query.add("recentDays=" + recentDays);
        String path = "/api/requests" + (query.isEmpty() ? "" : "?" + String.join("&", query));
        return send("GET", path, null, new TypeReference<List<AccessRequest>>() {});
    }

    /** One request with its decision history. */
    public AccessRequest request(String id) {
        return send("GET", "/api/requests/" + requestId(id), null, new TypeReference<AccessRequest>() {});
    }

    public AccessRequest decide(String id, DecisionVerb verb, String comment) {
        return send("POST", "/api/requests/" + requestId(id) + "/" + verb.path(), new RequestDecision(comment),
                new TypeReference<AccessRequest>() {});
    }

    /** The SQL audit events recorded under one request (auditors, admins, the environment's approvers). */
    public List<AuditEvent> requestAudit(String id) {
        // Read a page at a time: a page shorter than asked for is the last one.
        List<AuditEvent> all = new ArrayList<>();
        long after = 0;
        while (true) {
            List<AuditEvent> page = send("GET", "/api/requests/" + requestId(id) + "/audit?afterSequence=" + after
                    + "&limit=" + AUDIT_PAGE, null, new TypeReference<List<AuditEvent>>() {});
            all.addAll(page);
            if (page.size() < AUDIT_PAGE) return all;
            after = page.get(page.size() - 1).sequence();
        }
    }

    public ActiveGrant activeGrant(String environment) {
        return send("GET", "/api/grants/active?environment=" + encode(environment), null, new TypeReference<ActiveGrant>() {});
    }

    // --- administration (the demo's set-up) -------------------------------------------------------

    public IssuedToken createUser(NewUser user) {
        return send("POST", "/api/users", user, new TypeReference<IssuedToken>() {});
    }

    public Environment createEnvironment(EnvironmentSpec spec) {
        return send("POST", "/api/environments", spec, new TypeReference<Environment>() {});
    }

    public Environment environment(String name) {
        return send("GET", "/api/environments/" + encode(name), null, new TypeReference<Environment>() {});
    }

    public LockboxPolicy putPolicy(LockboxPolicy policy) {
        return send("PUT", "/api/policy", policy, new TypeReference<LockboxPolicy>() {});
    }

    // --- plumbing ---------------------------------------------------------------------------------

    private <T> T send(String method, String path, Object body, TypeReference<T> answer) {
        HttpRequest.Builder b = HttpRequest.newBuilder(credentials.server().resolve(path))
                .timeout(timeout)
                .header("Authorization", "Bearer " + credentials.token())
                .header("Accept", "application/json");
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            try {
                b.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("wire records always serialise", e);
            }
        }
        HttpResponse<byte[]> response;
        try {
            response = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpConnectTimeoutException | ConnectException e) {
            throw new CliException(ExitCode.UNREACHABLE, "cannot reach the Lockbox server at " + credentials.server()
                    + " (is it running? start one with './lockbox server' or './lockbox demo')", e);
        } catch (HttpTimeoutException e) {
            throw new CliException(ExitCode.UNREACHABLE, "the Lockbox server at " + credentials.server()
                    + " did not answer " + method + " " + pathOnly(path) + " within " + timeout.toSeconds() + " s", e);
        } catch (IOException e) {
            throw new CliException(ExitCode.UNREACHABLE, "cannot talk to the Lockbox server at " + credentials.server()
                    + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.UNREACHABLE, "interrupted while waiting for the Lockbox server", e);
        }
        int status = response.statusCode();
        if (status / 100 != 2) throw failure(method, path, status, response.body());
        try {
            return json.readValue(response.body(), answer);
        } catch (IOException e) {
            throw new CliException(ExitCode.UNREACHABLE, "the server at " + credentials.server() + " answered "
                    + method + " " + pathOnly(path) + " with something that is not the Lockbox API: " + e.getMessage(), e);
        }
    }

    private LockboxApiException failure(String method, String path, int status, byte[] body) {
        try {
            ApiError error = json.readValue(body, ApiError.class);
            if (error.error() != null && error.message() != null) return new LockboxApiException(status, error);
        } catch (IOException notAnApiError) {
            // fall through: a proxy or another service answered
        }
        String text = new String(body, StandardCharsets.UTF_8).strip();
        if (text.length() > 200) text = text.substring(0, 200) + "…";
        return new LockboxApiException(status, new ApiError("http_" + status,
                method + " " + pathOnly(path) + " answered HTTP " + status + (text.isEmpty() ? "" : ": " + text)));
    }

    private static String requestId(String id) {
        if (id == null || !REQUEST_ID.matcher(id).matches()) {
            throw new CliException(ExitCode.USAGE, "'" + id + "' is not a request id (letters, digits, '-' and '_' only)");
        }
        return id;
    }

    private static String pathOnly(String path) {
        int q = path.indexOf('?');
        return q < 0 ? path : path.substring(0, q);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** The four decisions on a request, as their URL path segment. */
    public enum DecisionVerb {
        APPROVE, DENY, REVOKE, CANCEL;

        public String path() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}

package dev.lockbox.driver.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.lockbox.api.ApiError;
import dev.lockbox.api.LockboxJson;
import dev.lockbox.api.audit.AuditAck;
import dev.lockbox.api.audit.AuditBatch;
import dev.lockbox.api.audit.AuditChannelReply;
import dev.lockbox.api.audit.AuditEventSubmission;
import dev.lockbox.api.audit.AuditOutcome;
import dev.lockbox.api.grant.GrantStatus;
import dev.lockbox.api.grant.SessionGrant;
import dev.lockbox.api.grant.SessionOpen;
import dev.lockbox.driver.SqlState;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.MalformedURLException;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** {@link LockboxServerClient} over the JDK's HttpURLConnection (HTTP/1.1 keep-alive); every answer is checked before it is trusted. */
public final class HttpLockboxServerClient implements LockboxServerClient {
    /** Answers are small JSON documents; a larger body is not from a Lockbox server. */
    private static final int MAX_BODY = 1 << 20;
    private static final String AUDIT_PATH = "/api/audit/events";
    private static final ObjectMapper JSON = LockboxJson.newMapper();
    private static final ObjectReader SESSION_GRANT = JSON.readerFor(SessionGrant.class);
    private static final ObjectReader GRANT_STATUS = JSON.readerFor(GrantStatus.class);
    private static final ObjectReader AUDIT_ACK = JSON.readerFor(AuditAck.class);
    private static final ObjectReader API_ERROR = JSON.readerFor(ApiError.class);
    private static final ObjectWriter AUDIT_BATCH = JSON.writerFor(AuditBatch.class);
    private static final ObjectReader CHANNEL_REPLY = JSON.readerFor(AuditChannelReply.class);

    private final URI base;
    private final String authorization;
    /** Connect and read timeout (a silent server fails the call after this long). */
    private final int timeoutMs;

    /** The audit endpoint, resolved once: it is called for every statement (sync) or batch (async). */
    private final URL auditEvents;
    private final String token;
    /**
     * The server's audit channel, once a session grant announced one and the server is reached over
     * plain HTTP (a token must not travel in clear where the URL asked for https); else null.
     */
    private volatile AuditChannelClient channel;

    public HttpLockboxServerClient(URI base, String token, Duration timeout) {
        this.base = base;
        this.authorization = "Bearer " + token;
        this.token = token;
        this.timeoutMs = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        try {
            this.auditEvents = base.resolve(AUDIT_PATH).toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("not an HTTP URL: " + base, e);
        }
    }

    @Override
    public SessionGrant openSession(SessionOpen open) throws SQLException {
        Answer a = send("POST", "/api/sessions", open, SqlState.CANNOT_CONNECT);
        if (a.status == 201) {
            SessionGrant grant = parse(a, SESSION_GRANT, SqlState.CANNOT_CONNECT, "a session grant");
            if (grant == null || grant.grant() == null || grant.target() == null || grant.sessionId() == null) {
                throw unexpected(a, SqlState.CANNOT_CONNECT, "an incomplete session grant");
            }
            useAuditChannel(grant.auditChannelPort());
            return grant;
        }
        if (a.status == 401 || a.status == 403 || a.status == 404) {
            throw refusal(a, "refused the connection to environment '" + open.environment() + "'");
        }
        throw unexpected(a, SqlState.CANNOT_CONNECT, "HTTP " + a.status);
    }

    @Override
    public void closeSession(String sessionId) throws SQLException {
        Answer a = send("DELETE", "/api/sessions/" + segment(sessionId), null, SqlState.SERVER_UNAVAILABLE);
        if (a.status != 204 && a.status != 200 && a.status != 404) {
            throw unexpected(a, SqlState.SERVER_UNAVAILABLE, "HTTP " + a.status);
        }
    }

    @Override
    public GrantStatus grantStatus(String requestId) throws SQLException {
        Answer a = send("GET", "/api/grants/" + segment(requestId) + "/status", null, SqlState.SERVER_UNAVAILABLE);
        if (a.status == 200) {
            GrantStatus s = parse(a, GRANT_STATUS, SqlState.SERVER_UNAVAILABLE, "a grant status");
            if (s == null || s.status() == null || !requestId.equals(s.requestId())) {
                throw unexpected(a, SqlState.SERVER_UNAVAILABLE, "a status for another grant");
            }
            return s;
        }
        if (a.status == 401 || a.status == 403 || a.status == 404) {
            throw refusal(a, "no longer confirms grant " + requestId);
        }
        throw unexpected(a, SqlState.SERVER_UNAVAILABLE, "HTTP " + a.status);
    }

    /**
     * Takes the audit channel the latest session grant announced, over plain HTTP only; a grant
     * without one (a server restarted without its channel) ends the use of an earlier one.
     */
    void useAuditChannel(Integer port) {
        boolean usable = port != null && port >= 1 && port <= 65535 && "http".equalsIgnoreCase(base.getScheme());
        AuditChannelClient current = channel;
        if (usable ? current != null && current.port() == port : current == null) return;
        synchronized (this) {
            current = channel;
            channel = usable ? new AuditChannelClient(base.getHost(), port, token, timeoutMs, JSON.writer(), CHANNEL_REPLY)
                    : null;
            if (current != null) current.close();
        }
    }

    /** Whether audit batches go to the server's audit channel when it can take them (for tests). */
    boolean usesAuditChannel() {
        return channel != null;
    }

    /**
     * Sends the batch, in parts when its JSON is over the {@link AuditBatch#MAX_BYTES} the server takes
     * (many events with large bound parameters, say): each part is stored on its own, an outcome
     * never before its event, and the acknowledgements are added up. A part that fails fails the
     * batch; sending the batch again is safe, since the server stores events idempotently by id.
     */
    @Override
    public AuditAck submitAudit(AuditBatch batch) throws SQLException {
        byte[] body = serialise(AUDIT_BATCH, batch);
        if (body.length > AuditBatch.MAX_BYTES) {
            List<AuditBatch> parts = halves(batch);
            if (parts.size() == 2) {
                AuditAck a = submitAudit(parts.get(0));
                AuditAck b = submitAudit(parts.get(1));
                return new AuditAck(a.stored() + b.stored(), a.duplicates() + b.duplicates(),
                        a.outcomesApplied() + b.outcomesApplied());
            }
            // one event (with its own outcome) over the limit: sent whole, the server's refusal says why
        }
        return submit(body);
    }

    /**
     * Two smaller batches that together say what {@code batch} says, the outcomes of the second's events
     * in the second; or the batch alone when it cannot be split (one event and its own outcome).
     */
    static List<AuditBatch> halves(AuditBatch batch) {
        List<AuditEventSubmission> events = batch.events() == null ? List.of() : batch.events();
        List<AuditOutcome> outcomes = batch.outcomes() == null ? List.of() : batch.outcomes();
        List<AuditEventSubmission> firstEvents;
        List<AuditEventSubmission> secondEvents;
        List<AuditOutcome> firstOutcomes = new ArrayList<>();
        List<AuditOutcome> secondOutcomes = new ArrayList<>();
        if (events.size() >= 2) {
            firstEvents = events.subList(0, events.size() / 2);
            secondEvents = events.subList(events.size() / 2, events.size());
            Set<String> later = new HashSet<>();
            for (AuditEventSubmission e : secondEvents) later.add(e.eventId());
            for (AuditOutcome o : outcomes) (later.contains(o.eventId()) ? secondOutcomes : firstOutcomes).add(o);
        } else if (events.size() == 1) {
            firstEvents = events;
            secondEvents = List.of();
            for (AuditOutcome o : outcomes) {
                (o.eventId().equals(events.get(0).eventId()) ? firstOutcomes : secondOutcomes).add(o);
            }
        } else {
            firstEvents = List.of();
            secondEvents = List.of();
            firstOutcomes.addAll(outcomes.subList(0, outcomes.size() / 2));
            secondOutcomes.addAll(outcomes.subList(outcomes.size() / 2, outcomes.size()));
        }
        if (firstEvents.isEmpty() && firstOutcomes.isEmpty() || secondEvents.isEmpty() && secondOutcomes.isEmpty()) {
            return List.of(batch);
        }
        return List.of(new AuditBatch(batch.environment(), firstEvents, firstOutcomes),
                new AuditBatch(batch.environment(), secondEvents, secondOutcomes));
    }

    /** One batch's JSON, on the audit channel when it can take it, else over HTTP. */
    private AuditAck submit(byte[] body) throws SQLException {
        AuditChannelClient ch = channel;
        AuditChannelReply reply = ch == null ? null : ch.submit(body);
        if (reply != null) {
            if (reply.status() == 200 && reply.ack() != null) return reply.ack();
            throw notStored(reply.status() == 200 ? "an empty acknowledgement" : "HTTP " + reply.status(),
                    complete(reply.error()));
        }
        Answer a = send("POST", AUDIT_PATH, auditEvents, body, SqlState.SERVER_UNAVAILABLE);
        if (a.status == 200) {
            AuditAck ack = parse(a, AUDIT_ACK, SqlState.SERVER_UNAVAILABLE, "an audit acknowledgement");
            if (ack == null) {
                throw unexpected(a, SqlState.SERVER_UNAVAILABLE, "an empty audit acknowledgement");
            }
            return ack;
        }
        throw notStored("HTTP " + a.status, apiError(a));
    }

    private SQLException notStored(String status, ApiError error) {
        return SqlState.SERVER_UNAVAILABLE.exception("The Lockbox approval server at " + base
                + " did not store the audit events (" + status
                + (error != null ? ", " + error.error() + ": " + error.message() : "") + ")");
    }

    private record Answer(int status, byte[] body) {}

    /**
     * One request over {@link HttpURLConnection}: it runs entirely on the calling thread and reuses
     * the JDK's kept-alive connection to the server, where the JDK HttpClient hands every exchange
     * to its selector thread and back (two context switches per statement, which dominated a
     * loopback round trip on a loaded machine). No proxy (as before), no redirects, no caches.
     * A POST that finds its kept-alive connection closed by the server is resent once by the JDK;
     * that is safe because the server stores events idempotently by event id.
     */
    private Answer send(String method, String path, Object body, SqlState onFailure) throws SQLException {
        URL url;
        try {
            url = base.resolve(path).toURL();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw onFailure.exception("Cannot talk to the Lockbox approval server at " + base + ": " + e
                    + "; refusing (fail-closed)", e);
        }
        return send(method, path, url, body == null ? null : serialise(JSON.writer(), body), onFailure);
    }

    private static byte[] serialise(ObjectWriter writer, Object body) {
        try {
            return writer.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + body.getClass().getSimpleName(), e);
        }
    }

    private Answer send(String method, String path, URL url, byte[] payload, SqlState onFailure) throws SQLException {
        HttpURLConnection c = null;
        try {
            c = (HttpURLConnection) url.openConnection(Proxy.NO_PROXY);
            c.setRequestMethod(method);
            c.setInstanceFollowRedirects(false);
            c.setUseCaches(false);
            c.setConnectTimeout(timeoutMs);
            c.setReadTimeout(timeoutMs);
            c.setRequestProperty("Authorization", authorization);
            c.setRequestProperty("Accept", "application/json");
            if (payload != null) {
                c.setRequestProperty("Content-Type", "application/json");
                c.setDoOutput(true);
                try (OutputStream out = c.getOutputStream()) {
                    out.write(payload);
                }
            }
            int status = c.getResponseCode();
            InputStream stream = status >= 400 ? c.getErrorStream() : c.getInputStream();
            byte[] bytes;
            if (stream == null) {
                bytes = new byte[0];
            } else {
                try (InputStream in = stream) {
                    bytes = in.readNBytes(MAX_BODY + 1);
                }
            }
            if (bytes.length > MAX_BODY) {
                c.disconnect(); // the rest is unread: this connection cannot be reused
                throw onFailure.exception("The Lockbox approval server at " + base + " answered " + path
                        + " with more than " + MAX_BODY + " bytes; refusing (fail-closed)");
            }
            return new Answer(status, bytes);
        } catch (SocketTimeoutException e) {
            c.disconnect();
            throw onFailure.exception("The Lockbox approval server at " + base + " did not answer " + method + " "
                    + path + " within " + timeoutMs + " ms; refusing (fail-closed)", e);
        } catch (ConnectException e) {
            throw onFailure.exception("Cannot reach the Lockbox approval server at " + base
                    + " (connection refused); check the host and port of the URL and that the server runs", e);
        } catch (IOException | IllegalArgumentException e) {
            if (c != null) {
                c.disconnect();
            }
            throw onFailure.exception("Cannot talk to the Lockbox approval server at " + base + ": " + e
                    + "; refusing (fail-closed)", e);
        }
    }

    private <T> T parse(Answer a, ObjectReader reader, SqlState state, String what) throws SQLException {
        try {
            return reader.readValue(a.body);
        } catch (IOException e) {
            throw state.exception("The Lockbox approval server at " + base + " answered something that is not "
                    + what + " (" + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage())
                    + "); refusing (fail-closed)", e);
        }
    }

    private ApiError apiError(Answer a) {
        try {
            return complete(API_ERROR.readValue(a.body));
        } catch (IOException e) {
            return null;
        }
    }

    /** The error, when it has both its code and its sentence; else null (nothing worth quoting). */
    private static ApiError complete(ApiError e) {
        return e != null && e.error() != null && e.message() != null ? e : null;
    }


    private SQLException refusal(Answer a, String what) {
        ApiError error = apiError(a);
        if (a.status == 401) {
            return SqlState.NO_GRANT.exception("The Lockbox approval server at " + base
                    + " did not accept the user name and API token (the JDBC password is your Lockbox API token)"
                    + (error != null ? ": " + error.message() : ""));
        }
        if (error == null) {
            return SqlState.NO_GRANT.exception("The Lockbox approval server at " + base + " " + what
                    + " (HTTP " + a.status + ")");
        }
        return SqlState.NO_GRANT.exception("Lockbox " + what + ": " + error.message() + " [" + error.error() + "]");
    }

    private SQLException unexpected(Answer a, SqlState state, String what) {
        ApiError error = apiError(a);
        return state.exception("The Lockbox approval server at " + base + " answered with " + what
                + (error != null ? " (" + error.error() + ": " + error.message() + ")" : "")
                + "; refusing (fail-closed)");
    }

    private static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}

package dev.lockbox.server.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockbox.api.admin.Role;
import dev.lockbox.server.http.AccessLog;
import dev.lockbox.server.http.ApiException;
import dev.lockbox.server.http.Authenticator;
import dev.lockbox.server.http.Caller;
import dev.lockbox.server.http.JsonBody;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Answers {@code POST /api/audit/events} (every statement of a sync driver, every batch of an async
 * one) straight from Jetty when the caller's token is cached ({@link Authenticator#cachedCaller}):
 * the body is read, parsed with the server's strict mapper ({@link JsonBody#parse}) and handed to
 * {@link AuditLog#ingest}, exactly as {@code AuditApi.ingest} does behind Javalin. Javalin's routing,
 * context and servlet layers cost the approval server more CPU per audit POST than the parse and the
 * checks together (docs/benchmarks.md, "Sync with nothing stored").
 *
 * <p>It gives the answer the full path would give: the same status, {@code Content-Type} and bytes
 * for the acknowledgement and for every refusal {@code ingest} or the parse throws (an
 * {@link ApiException}, or a 500 for anything else, logged like {@code ApiRoutes} logs it), and the
 * same access log line. What it cannot judge on its own goes on to Javalin unchanged, before a byte of
 * the body is read: another method or path, a missing, unknown or uncached token (the 401s and the
 * store lookup live there), a caller without the engineer role (the 403), and a body whose length is
 * not announced or is over {@link JsonBody#MAX_BODY} (chunked uploads and the 413).
 *
 * <p>It blocks (the body, the store's commit), so it must run on a thread of the server's pool, never
 * on the thread that read the request: it sits behind {@code CachedGrantHandler}, which hands every
 * request it does not answer itself to the pool.
 */
public final class AuditPostHandler extends Handler.Wrapper {
    static final String PATH = "/api/audit/events";

    private final Authenticator authenticator;
    private final AuditLog auditLog;
    private final JsonBody json;
    private final ObjectMapper mapper;
    private final LongAdder served = new LongAdder();

    public AuditPostHandler(Authenticator authenticator, AuditLog auditLog, ObjectMapper mapper) {
        this.authenticator = authenticator;
        this.auditLog = auditLog;
        this.mapper = mapper;
        this.json = new JsonBody(mapper);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        long start = System.nanoTime();
        if (!HttpMethod.POST.is(request.getMethod()) || !PATH.equals(request.getHttpURI().getPath())) {
            return super.handle(request, response, callback);
        }
        Caller caller = authenticator.cachedCaller(request.getHeaders().get(HttpHeader.AUTHORIZATION));
        long length = request.getLength();
        if (caller == null || !caller.has(Role.ENGINEER) || length < 0 || length > JsonBody.MAX_BODY) {
            return super.handle(request, response, callback);
        }

        served.increment();
        IngestAnswer a = IngestAnswer.of(auditLog, json, caller.name(), () -> body(request), "POST");
        int status = a.status();
        byte[] answer = encode(status == 200 ? a.ack() : a.error());
        AccessLog.request("POST", PATH, status, (System.nanoTime() - start) / 1e6, caller.name());
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(answer), callback);
        return true;
    }

    /** The body, whose announced length is at most {@link JsonBody#MAX_BODY} (Jetty stops reading there). */
    private static byte[] body(Request request) {
        try (InputStream in = Content.Source.asInputStream(request)) {
            return in.readNBytes(JsonBody.MAX_BODY);
        } catch (IOException e) {
            throw ApiException.invalid("body", "could not be read");
        }
    }

    private byte[] encode(Object answer) {
        try {
            return mapper.writeValueAsBytes(answer);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode an audit answer", e);
        }
    }

    /** Audit POSTs answered here rather than by Javalin (for tests and diagnostics). */
    public long served() {
        return served.sum();
    }
}

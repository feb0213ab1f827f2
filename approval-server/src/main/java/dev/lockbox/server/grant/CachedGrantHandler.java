package dev.lockbox.server.grant;

import dev.lockbox.api.admin.Role;
import dev.lockbox.server.http.AccessLog;
import dev.lockbox.server.http.Authenticator;
import dev.lockbox.server.http.Caller;
import dev.lockbox.server.http.Input;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Answers {@code GET /api/grants/active?environment=E} straight from Jetty when everything the
 * answer needs is already cached: the caller's token ({@link Authenticator#cachedCaller}) and
 * the caller's active grant with its encoded JSON ({@link GrantLookup#cachedJson}). Such an answer
 * needs no store and no Javalin: the routing, context and servlet layers were about half of the
 * server's CPU per grant lookup (docs/benchmarks.md, "Approval server: grant lookup").
 *
 * <p>It only ever serves the one answer the full path would give for the same request at the
 * same moment: same status (200), same {@code Content-Type}, same bytes, same access log line.
 * Everything else — another method or path, a query other than a single well-formed
 * {@code environment=NAME}, a missing or uncached token, a caller without the engineer role, a
 * grant not cached or no longer servable (revoked, ended, changed: the caches' generations),
 * every refusal — goes on unchanged to the next handler ({@code AuditPostHandler}, which passes
 * it to Javalin), which reads the store, fills the caches and answers as it always did.
 *
 * <p>Running on the thread that read the request means this handler must not wait on anything:
 * the caches are plain maps, and the access line is queued for {@code AccessLogAppender}'s writer
 * like every other (only a full queue, meaning the log itself is stuck, would hold this thread, as
 * it holds every request's).
 */
public final class CachedGrantHandler extends Handler.Wrapper {
    static final String PATH = "/api/grants/active";
    private static final String QUERY_PREFIX = "environment=";

    private final Authenticator authenticator;
    private final GrantLookup lookup;
    private final Clock clock;
    private final LongAdder served = new LongAdder();

    public CachedGrantHandler(Authenticator authenticator, GrantLookup lookup, Clock clock) {
        this.authenticator = authenticator;
        this.lookup = lookup;
        this.clock = clock;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        long start = System.nanoTime();
        String environment = environment(request);
        if (environment == null) return passOn(request, response, callback);
        Caller caller = authenticator.cachedCaller(request.getHeaders().get(HttpHeader.AUTHORIZATION));
        if (caller == null || !caller.has(Role.ENGINEER)) return passOn(request, response, callback);
        byte[] json = lookup.cachedJson(caller.name(), environment, clock.instant());
        if (json == null) return passOn(request, response, callback);

        served.increment();
        AccessLog.request("GET", PATH, 200, (System.nanoTime() - start) / 1e6, caller.name());
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(json), callback);
        return true;
    }

    /**
     * Non-blocking: a cached answer is written without waiting on anything, so Jetty runs this
     * handler on the thread that read the request (no hand-off to another thread, no wake-up).
     * Everything else may block (store, request bodies), so {@link #passOn} hands it to the
     * server's thread pool, as Jetty would have done for a blocking handler.
     */
    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }

    /** The next handler ({@code AuditPostHandler}, which passes what it does not answer to Javalin), on a thread of the server's pool. */
    private boolean passOn(Request request, Response response, Callback callback) {
        Handler next = getHandler();
        request.getComponents().getThreadPool().execute(() -> {
            try {
                if (next == null || !next.handle(request, response, callback)) {
                    Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404);
                }
            } catch (Throwable failure) {
                Response.writeError(request, response, callback, failure);
            }
        });
        return true;
    }

    /** Answers served here rather than by the next handler (for tests and diagnostics). */
    public long served() {
        return served.sum();
    }

    /** E of a {@code GET /api/grants/active?environment=E} with E a valid name as written, else {@code null}. */
    private static String environment(Request request) {
        if (!HttpMethod.GET.is(request.getMethod())) return null;
        HttpURI uri = request.getHttpURI();
        if (!PATH.equals(uri.getPath())) return null;
        String query = uri.getQuery();
        if (query == null || !query.startsWith(QUERY_PREFIX)) return null;
        String name = query.substring(QUERY_PREFIX.length());
        return Input.ENVIRONMENT_NAME.matcher(name).matches() ? name : null;
    }
}

package dev.lockbox.server.http;

import dev.lockbox.api.ApiError;
import dev.lockbox.server.environment.EnvironmentApi;
import dev.lockbox.server.export.ExportApi;
import dev.lockbox.server.grant.GrantApi;
import dev.lockbox.server.policy.PolicyApi;
import dev.lockbox.server.request.RequestApi;
import dev.lockbox.server.session.SessionApi;
import dev.lockbox.server.user.UserApi;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Every route of the approval server, in one place, and the one error mapper (docs/api.md describes them). */
public record ApiRoutes(
        Authenticator authenticator,
        UserApi users,
        EnvironmentApi environments,
        PolicyApi policy,
        RequestApi requests,
        GrantApi grants,
        SessionApi sessions,
        AuditApi audit,
        ExportApi export) {

    private static final Logger LOG = LoggerFactory.getLogger(ApiRoutes.class);
    /** The answer to a call that failed for a reason of the server's own (logged, never shown). */
    public static final ApiError INTERNAL_ERROR = new ApiError("internal", "the server could not complete the call; see its log");

    public void install(JavalinConfig cfg) {
        var r = cfg.routes;
        r.before(ctx -> {
            String path = ctx.path();
            if (path.startsWith("/api/") || path.equals("/api")) authenticator.authenticate(ctx);
        });
        r.get("/healthz", ctx -> ctx.json(Map.of("status", "ok")));

        // The calls every driver makes (connect, grant polling, statement audit) come first: Javalin
        // tries a method's routes in the order they were added.
        r.get("/api/grants/active", grants::active);
        r.get("/api/grants/{requestId}/status", grants::status);
        r.post("/api/sessions", sessions::open);
        r.delete("/api/sessions/{sessionId}", sessions::close);

        r.get("/api/users", users::list);
        r.post("/api/users", users::create);
        r.get("/api/users/{name}", users::get);
        r.post("/api/users/{name}/tokens", users::rotateToken);
        r.delete("/api/users/{name}", users::disable);

        r.get("/api/environments", environments::list);
        r.post("/api/environments", environments::create);
        r.get("/api/environments/{name}", environments::get);
        r.put("/api/environments/{name}", environments::update);
        r.delete("/api/environments/{name}", environments::delete);

        r.get("/api/policy", policy::get);
        r.put("/api/policy", policy::put);
        r.get("/api/policy/history", policy::history);

        r.post("/api/requests", requests::create);
        r.get("/api/requests", requests::list);
        r.get("/api/requests/{id}", requests::get);
        r.post("/api/requests/{id}/approve", requests::approve);
        r.post("/api/requests/{id}/deny", requests::deny);
        r.post("/api/requests/{id}/revoke", requests::revoke);
        r.post("/api/requests/{id}/cancel", requests::cancel);
        r.get("/api/requests/{id}/audit", audit::forRequest);

        r.post("/api/audit/events", audit::ingest);
        r.get("/api/audit/events", audit::page);
        r.get("/api/audit/environments", export::auditEnvironments);

        r.get("/api/export", export::get);
        r.put("/api/export", export::put);

        r.exception(ApiException.class, (e, ctx) -> ctx.status(e.status()).json(e.error()));
        r.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), codeFor(e.getStatus()), e.getMessage()));
        r.exception(Exception.class, (e, ctx) -> {
            LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
            ctx.status(500).json(INTERNAL_ERROR);
        });
        // Unmatched routes and methods: same JSON shape as every other error.
        r.error(404, ctx -> {
            if (isEmpty(ctx)) error(ctx, 404, "not_found", "no such endpoint: " + ctx.method() + " " + ctx.path());
        });
        r.error(405, ctx -> {
            if (isEmpty(ctx)) error(ctx, 405, "method_not_allowed", ctx.method() + " is not allowed on " + ctx.path());
        });

        cfg.requestLogger.http((ctx, ms) -> {
            Caller c = ctx.attribute(Caller.ATTRIBUTE);
            AccessLog.request(String.valueOf(ctx.method()), ctx.path(), ctx.statusCode(), ms, c == null ? null : c.name());
        });
    }

    private static boolean isEmpty(Context ctx) {
        String result = ctx.result();
        return result == null || result.isEmpty();
    }

    private static void error(Context ctx, int status, String code, String message) {
        ctx.status(status).json(new ApiError(code, message));
    }

    private static String codeFor(int status) {
        return switch (status) {
            case 400 -> "invalid";
            case 401 -> "unauthenticated";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 409 -> "wrong_state";
            case 413 -> "too_large";
            default -> "http_" + status;
        };
    }
}

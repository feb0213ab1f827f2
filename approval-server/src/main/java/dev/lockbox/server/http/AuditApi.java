package dev.lockbox.server.http;

import dev.lockbox.api.admin.Role;
import dev.lockbox.api.audit.AuditBatch;
import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.audit.AuditEventPage;
import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.server.audit.AuditLog;
import dev.lockbox.server.environment.EnvironmentStore;
import dev.lockbox.server.request.RequestStore;
import io.javalin.http.Context;
import java.util.List;

/** The audit routes: who may write and read the {@link AuditLog} (the log itself lives in the audit package). */
public final class AuditApi {
    private static final int MAX_PAGE = 10_000;
    private final AuditLog auditLog;
    private final RequestStore requests;
    private final EnvironmentStore environments;
    private final JsonBody json;

    public AuditApi(AuditLog auditLog, RequestStore requests, EnvironmentStore environments, JsonBody json) {
        this.auditLog = auditLog;
        this.requests = requests;
        this.environments = environments;
        this.json = json;
    }

    public void ingest(Context ctx) {
        Caller caller = Caller.of(ctx).require(Role.ENGINEER);
        ctx.json(auditLog.ingest(caller.name(), json.read(ctx, AuditBatch.class)));
    }

    public void page(Context ctx) {
        Caller.of(ctx).require(Role.AUDITOR, Role.ADMIN);
        String env = Input.environmentName("environment", ctx.queryParam("environment"));
        long after = number(ctx, "afterSequence", 0, 0, Long.MAX_VALUE);
        int limit = (int) number(ctx, "limit", 1000, 1, MAX_PAGE);
        ctx.json(auditLog.page(env, after, limit));
    }

    public void forRequest(Context ctx) {
        Caller caller = Caller.of(ctx);
        String id = ctx.pathParam("id");
        AccessRequest r = requests.find(id).orElseThrow(() -> ApiException.notFound("no access request " + id));
        boolean approver = caller.has(Role.APPROVER)
                && environments.find(r.environment()).map(e -> e.isApprover(caller.name())).orElse(false);
        if (!approver && !caller.hasAny(Role.AUDITOR, Role.ADMIN)) {
            throw ApiException.forbidden("the audit trail of request " + id + " is for auditors, admins and approvers of " + r.environment());
        }
        long after = number(ctx, "afterSequence", 0, 0, Long.MAX_VALUE);
        int limit = (int) number(ctx, "limit", MAX_PAGE, 1, MAX_PAGE);
        List<AuditEvent> events = auditLog.forRequest(id, after, limit);
        // A full page may have more behind it: say where the next one starts.
        if (events.size() == limit) ctx.header(AuditEventPage.NEXT_AFTER_SEQUENCE_HEADER, Long.toString(events.get(events.size() - 1).sequence()));
        ctx.json(events);
    }

    private static long number(Context ctx, String name, long dflt, long min, long max) {
        String v = ctx.queryParam(name);
        if (v == null || v.isEmpty()) return dflt;
        try {
            long n = Long.parseLong(v);
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException e) {
            // fall through to the 400 below
        }
        throw ApiException.invalid(name, "must be a whole number from " + min + " to " + max);
    }
}

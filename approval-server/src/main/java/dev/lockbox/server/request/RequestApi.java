package dev.lockbox.server.request;

import dev.lockbox.api.admin.Role;
import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.api.request.NewAccessRequest;
import dev.lockbox.api.request.RequestDecision;
import dev.lockbox.api.request.RequestStatus;
import dev.lockbox.server.environment.EnvironmentStore;
import dev.lockbox.server.http.ApiException;
import dev.lockbox.server.http.Caller;
import dev.lockbox.server.http.Input;
import dev.lockbox.server.http.JsonBody;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * {@code /api/requests}: engineers file requests; approvers decide; everyone sees their own
 * requests and those of the environments they approve; admins and auditors see all.
 */
public final class RequestApi {
    private final RequestWorkflow workflow;
    private final RequestStore requests;
    private final EnvironmentStore environments;
    private final JsonBody json;
    private final Clock clock;
    private final Duration recentWindow;

    public RequestApi(RequestWorkflow workflow, RequestStore requests, EnvironmentStore environments, JsonBody json,
                      Clock clock, Duration recentWindow) {
        this.workflow = workflow;
        this.requests = requests;
        this.environments = environments;
        this.json = json;
        this.clock = clock;
        this.recentWindow = recentWindow;
    }

    public void create(Context ctx) {
        Caller caller = Caller.of(ctx).require(Role.ENGINEER);
        ctx.status(201).json(workflow.create(caller, json.read(ctx, NewAccessRequest.class)));
    }

    public void list(Context ctx) {
        Caller caller = Caller.of(ctx);
        RequestStatus status = null;
        String s = ctx.queryParam("status");
        if (s != null && !s.isEmpty()) {
            try {
                status = RequestStatus.valueOf(s);
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid("status", "must be one of " + Arrays.stream(RequestStatus.values())
                        .map(Enum::name).collect(Collectors.joining(", ")));
            }
        }
        String env = ctx.queryParam("environment");
        if (env != null && !env.isEmpty()) Input.environmentName("environment", env);
        else env = null;
        long days = recentWindow.toDays();
        String d = ctx.queryParam("recentDays");
        if (d != null && !d.isEmpty()) {
            try {
                days = Long.parseLong(d);
            } catch (NumberFormatException e) {
                days = -1;
            }
            if (days < 1 || days > 3660) throw ApiException.invalid("recentDays", "must be a whole number of days from 1 to 3660");
        }
        boolean seesAll = caller.hasAny(Role.ADMIN, Role.AUDITOR);
        ctx.json(requests.list(status, env, clock.instant().minus(Duration.ofDays(days)), seesAll ? null : caller.name()));
    }

    public void get(Context ctx) {
        Caller caller = Caller.of(ctx);
        String id = ctx.pathParam("id");
        AccessRequest r = requests.findWithHistory(id).orElseThrow(() -> ApiException.notFound("no access request " + id));
        if (!canSee(caller, r)) throw ApiException.forbidden("request " + id + " is neither yours nor on an environment you approve");
        ctx.json(r);
    }

    public void approve(Context ctx) {
        ctx.json(workflow.approve(Caller.of(ctx), ctx.pathParam("id"), comment(ctx)));
    }

    public void deny(Context ctx) {
        ctx.json(workflow.deny(Caller.of(ctx), ctx.pathParam("id"), comment(ctx)));
    }

    public void revoke(Context ctx) {
        ctx.json(workflow.revoke(Caller.of(ctx), ctx.pathParam("id"), comment(ctx)));
    }

    public void cancel(Context ctx) {
        ctx.json(workflow.cancel(Caller.of(ctx), ctx.pathParam("id"), comment(ctx)));
    }

    /** Who may read a request (and its audit trail): admins, auditors, the requester, the environment's approvers. */
    public boolean canSee(Caller caller, AccessRequest r) {
        if (caller.hasAny(Role.ADMIN, Role.AUDITOR) || caller.name().equals(r.requester())) return true;
        return caller.has(Role.APPROVER) && environments.find(r.environment()).map(e -> e.isApprover(caller.name())).orElse(false);
    }

    private String comment(Context ctx) {
        // The body is optional for decisions: an empty body means "no comment".
        if (JsonBody.bytes(ctx).length == 0) return null;
        return json.read(ctx, RequestDecision.class).comment();
    }
}

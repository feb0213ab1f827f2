package dev.lockbox.server.grant;

import dev.lockbox.api.admin.Role;
import dev.lockbox.api.grant.GrantStatus;
import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.api.request.RequestStatus;
import dev.lockbox.server.http.ApiException;
import dev.lockbox.server.http.Caller;
import dev.lockbox.server.http.Input;
import dev.lockbox.server.request.RequestStore;
import io.javalin.http.ContentType;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;

/** {@code /api/grants}: what the driver asks before and during a session. */
public final class GrantApi {
    private final GrantLookup lookup;
    private final RequestStore requests;
    private final Clock clock;

    public GrantApi(GrantLookup lookup, RequestStore requests, Clock clock) {
        this.lookup = lookup;
        this.requests = requests;
        this.clock = clock;
    }

    public void active(Context ctx) {
        Caller caller = Caller.of(ctx).require(Role.ENGINEER);
        String env = Input.environmentName("environment", ctx.queryParam("environment"));
        // the answer's JSON as encoded when the grant was cached: the same bytes ctx.json would write
        ctx.contentType(ContentType.APPLICATION_JSON).result(lookup.active(caller.name(), env, clock.instant()).json());
    }

    public void status(Context ctx) {
        Caller caller = Caller.of(ctx);
        String id = ctx.pathParam("requestId");
        AccessRequest r = requests.find(id).orElseThrow(() -> ApiException.notFound("no access request " + id));
        if (!caller.name().equals(r.requester()) && !caller.hasAny(Role.ADMIN, Role.AUDITOR)) {
            throw ApiException.forbidden("the status of grant " + id + " is for its engineer, admins and auditors");
        }
        Instant now = clock.instant();
        boolean active = r.status() == RequestStatus.APPROVED && !now.isBefore(r.accessStartsAt()) && now.isBefore(r.accessExpiresAt());
        ctx.json(new GrantStatus(r.id(), r.status(), active, r.accessExpiresAt(), now));
    }
}

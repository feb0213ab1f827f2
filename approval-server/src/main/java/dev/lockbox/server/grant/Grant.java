package dev.lockbox.server.grant;

import dev.lockbox.api.grant.ActiveGrant;
import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.server.environment.StoredEnvironment;
import dev.lockbox.server.request.RequestWorkflow;

/** An approved request whose window is open now, with the environment it opens. */
public record Grant(AccessRequest request, StoredEnvironment environment) {
    public ActiveGrant toWire() {
        return toWire(request);
    }

    static ActiveGrant toWire(AccessRequest r) {
        return new ActiveGrant(r.id(), r.supportTicketId(), r.environment(), r.requester(), r.accessLevel(), r.scope(),
                r.accessStartsAt(), r.accessExpiresAt(), RequestWorkflow.POLICY_ACTOR.equals(r.decidedBy()));
    }
}

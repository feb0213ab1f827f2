package dev.lockbox.server.grant;

import dev.lockbox.server.audit.GrantDirectory;
import dev.lockbox.server.audit.GrantRecord;
import dev.lockbox.server.environment.EnvironmentStore;
import dev.lockbox.server.environment.StoredEnvironment;
import dev.lockbox.server.request.RequestStore;
import java.util.Optional;

/** The audit log's view of grants, from the request store (never from what a client claims). */
public final class RequestGrantDirectory implements GrantDirectory {
    private final RequestStore requests;
    private final EnvironmentStore environments;

    public RequestGrantDirectory(RequestStore requests, EnvironmentStore environments) {
        this.requests = requests;
        this.environments = environments;
    }

    @Override
    public Optional<GrantRecord> find(String requestId) {
        if (requestId == null) return Optional.empty();
        return requests.find(requestId).map(r -> new GrantRecord(r.id(), r.environment(), r.requester(), r.supportTicketId(),
                r.status(), r.accessStartsAt(), r.accessExpiresAt(),
                // A deleted environment keeps the safe default: record what was bound.
                environments.find(r.environment()).map(StoredEnvironment::recordParameters).orElse(true)));
    }
}

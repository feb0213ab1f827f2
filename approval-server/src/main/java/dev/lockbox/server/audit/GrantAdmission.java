package dev.lockbox.server.audit;

import dev.lockbox.api.request.RequestStatus;
import java.time.Instant;
import java.util.Optional;

/**
 * Whether new events may be recorded under a grant: it must exist, be the caller's own, belong to the
 * batch's environment, be APPROVED and be inside its access window now (the server's clock, never
 * the driver's). A refusal is a sentence for the 403; it never says more about someone else's grant
 * than that it is not the caller's.
 */
record GrantAdmission(GrantRecord grant, String refusal) {

    static GrantAdmission judge(String requestId, Optional<GrantRecord> found, String caller, String environment,
            Instant now) {
        if (found.isEmpty()) return refused("request " + requestId + " is not a grant of yours");
        GrantRecord g = found.get();
        if (!caller.equals(g.engineer())) return refused("request " + requestId + " is not a grant of yours");
        if (!environment.equals(g.environment())) {
            return refused("request " + requestId + " is not a grant for environment " + environment);
        }
        if (g.status() != RequestStatus.APPROVED) {
            return refused("request " + requestId + " is " + g.status() + ", not an active grant");
        }
        if (g.accessStartsAt() == null || g.accessExpiresAt() == null || now.isBefore(g.accessStartsAt())) {
            return refused("the access window of request " + requestId + " has not started");
        }
        if (!now.isBefore(g.accessExpiresAt())) {
            return refused("the access window of request " + requestId + " ended at " + g.accessExpiresAt());
        }
        return new GrantAdmission(g, null);
    }

    private static GrantAdmission refused(String why) {
        return new GrantAdmission(null, why);
    }

    boolean admitted() {
        return refusal == null;
    }
}

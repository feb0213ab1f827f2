package dev.lockbox.server.broker;

import java.util.List;

/**
 * What a reconciliation did.
 *
 * @param revokedRequests   requests whose recorded credentials were revoked because their grant is no longer active
 * @param droppedLeftovers  users found on targets that no active grant owns ({@code environment:user})
 * @param failures          one sentence per thing that could not be done (it is retried by the next reconciliation)
 */
public record ReconcileReport(List<String> revokedRequests, List<String> droppedLeftovers, List<String> failures) {
    public ReconcileReport {
        revokedRequests = List.copyOf(revokedRequests);
        droppedLeftovers = List.copyOf(droppedLeftovers);
        failures = List.copyOf(failures);
    }
}

package dev.lockbox.server.audit;

import java.util.Optional;

/** Looks up grants (access requests) by id for the audit log; implemented by the request feature. */
@FunctionalInterface
public interface GrantDirectory {
    Optional<GrantRecord> find(String requestId);
}

package dev.lockbox.api.request;

import java.time.Instant;

/**
 * One step of a request's history: a decision (approve, deny, revoke, cancel, expire, end of
 * access) or a credential-broker action. {@code actor} is a user name, or {@code "policy"} /
 * {@code "scheduler"} / {@code "broker"} for the server itself. Not a SQL audit event.
 */
public record RequestHistoryEntry(
        Instant at,
        String actor,
        String action,
        RequestStatus fromStatus,
        RequestStatus toStatus,
        String comment) {}

package dev.lockbox.api.request;

/** Body of {@code POST /api/requests/{id}/approve|deny|revoke|cancel}; the comment is optional. */
public record RequestDecision(String comment) {}

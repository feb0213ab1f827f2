package dev.lockbox.api.admin;

import java.time.Instant;

/** One entry of {@code GET /api/policy/history}: who changed the policy, when, from what to what. */
public record PolicyChange(Instant at, String changedBy, LockboxPolicy before, LockboxPolicy after) {}

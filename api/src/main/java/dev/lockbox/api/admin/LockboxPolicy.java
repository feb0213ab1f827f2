package dev.lockbox.api.admin;

import java.util.List;

/**
 * Body and answer of {@code GET/PUT /api/policy}. {@code environments} lists the protected
 * environments when {@code mode} is SELECTED and must be empty (or null) otherwise.
 */
public record LockboxPolicy(PolicyMode mode, List<String> environments) {}

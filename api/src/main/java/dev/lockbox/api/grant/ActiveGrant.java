package dev.lockbox.api.grant;

import dev.lockbox.api.request.AccessLevel;
import java.time.Instant;
import java.util.List;

/**
 * The caller's active grant on an environment ({@code GET /api/grants/active?environment=E}).
 * {@code approvedByPolicy} is true when the environment is not protected by the lockbox policy
 * and the grant was issued at once. {@code scope} null or empty = whole database.
 */
public record ActiveGrant(
        String requestId,
        String supportTicketId,
        String environment,
        String engineer,
        AccessLevel accessLevel,
        List<String> scope,
        Instant accessStartsAt,
        Instant accessExpiresAt,
        boolean approvedByPolicy) {}

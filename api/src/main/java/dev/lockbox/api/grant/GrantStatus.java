package dev.lockbox.api.grant;

import dev.lockbox.api.request.RequestStatus;
import java.time.Instant;

/**
 * Answer of {@code GET /api/grants/{requestId}/status}, polled by the driver (at least every
 * 500 ms per grant) to cut connections within one second of a revocation. {@code active} is
 * true only while the request is APPROVED and {@code serverTime} is before {@code accessExpiresAt}.
 */
public record GrantStatus(
        String requestId,
        RequestStatus status,
        boolean active,
        Instant accessExpiresAt,
        Instant serverTime) {}

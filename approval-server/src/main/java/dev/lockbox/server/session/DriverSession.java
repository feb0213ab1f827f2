package dev.lockbox.server.session;

import java.time.Instant;

/** A connection the driver opened under a grant (table driver_sessions). */
public record DriverSession(
        String sessionId,
        String requestId,
        String environment,
        String engineer,
        String database,
        String dbUser,
        String clientHost,
        String applicationName,
        Instant openedAt,
        Instant closedAt) {}

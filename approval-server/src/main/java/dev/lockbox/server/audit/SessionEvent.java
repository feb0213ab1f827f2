package dev.lockbox.server.audit;

import java.time.Instant;

/**
 * A CONNECT, CONNECT_DENIED or DISCONNECT recorded by the server itself when the driver opens or
 * closes a session. {@code requestId}, {@code supportTicketId} and {@code dbUser} are null for
 * CONNECT_DENIED; {@code denyReason} is set only for CONNECT_DENIED.
 */
public record SessionEvent(
        String action,
        Instant eventTime,
        String environment,
        String engineer,
        String requestId,
        String supportTicketId,
        String database,
        String dbUser,
        String sessionId,
        String clientHost,
        String applicationName,
        String denyReason) {}

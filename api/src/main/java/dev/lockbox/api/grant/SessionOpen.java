package dev.lockbox.api.grant;

/**
 * Body of {@code POST /api/sessions}: the driver opening a connection. {@code sessionId} is a
 * driver-generated UUID; the server records a CONNECT (or CONNECT_DENIED) audit event.
 */
public record SessionOpen(
        String environment,
        String sessionId,
        String clientHost,
        String applicationName,
        String driverVersion) {}

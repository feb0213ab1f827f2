package dev.lockbox.api.grant;

/** Answer (201) of {@code POST /api/sessions}: the active grant and the target connection issued for it. */
public record SessionGrant(String sessionId, ActiveGrant grant, TargetConnection target) {}

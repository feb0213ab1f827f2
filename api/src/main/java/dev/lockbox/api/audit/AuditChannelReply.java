package dev.lockbox.api.audit;

import dev.lockbox.api.ApiError;

/**
 * The server's answer to each frame on the audit channel: the HTTP status {@code POST
 * /api/audit/events} would have given, with its acknowledgement (200 to a batch; null to the hello)
 * or its {@link ApiError} (every other status).
 */
public record AuditChannelReply(int status, AuditAck ack, ApiError error) {}

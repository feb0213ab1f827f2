package dev.lockbox.api.audit;

/**
 * Answer of {@code POST /api/audit/events}: how many events were newly stored, how many were
 * already known (retries), and how many outcomes were applied.
 */
public record AuditAck(int stored, int duplicates, int outcomesApplied) {}

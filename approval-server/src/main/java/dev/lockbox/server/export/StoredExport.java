package dev.lockbox.server.export;

import dev.lockbox.api.export.ExportConfig;
import java.time.Instant;

/** The stored export configuration and what the last pass left: when it ran, and its error if it failed. */
public record StoredExport(ExportConfig config, Instant lastRunAt, String lastError) {}

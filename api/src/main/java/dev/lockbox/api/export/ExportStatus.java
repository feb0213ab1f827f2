package dev.lockbox.api.export;

import java.time.Instant;
import java.util.List;

/**
 * Answer of {@code GET /api/export} (admin, auditor) and {@code PUT /api/export} (admin).
 *
 * @param configured   false until an admin PUTs a configuration ({@code config} then shows the defaults)
 * @param state        CONNECTED or DISABLED
 * @param reason       why DISABLED (a sentence), null when CONNECTED
 * @param lastRunAt    when the last export pass finished, null if none ran
 * @param lastError    the last pass's error, null when it succeeded
 * @param environments progress per exported environment
 * @param lag          sealed events not yet in the lake, over {@code environments}
 */
public record ExportStatus(
        ExportConfig config,
        boolean configured,
        ExportState state,
        String reason,
        Instant lastRunAt,
        String lastError,
        List<EnvironmentExportStatus> environments,
        long lag) {}

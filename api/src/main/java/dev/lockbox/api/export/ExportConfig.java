package dev.lockbox.api.export;

import java.time.Duration;
import java.util.List;

/**
 * Body of {@code PUT /api/export} (admin) and part of the {@code GET} answer: where and what the
 * exporter running inside the server writes.
 *
 * @param destination     the lake: a Hadoop FileSystem URI ({@code file:}, {@code hdfs:}, {@code s3a:},
 *                        {@code abfs:} …); null on PUT = {@code <data-dir>/lake}
 * @param environmentMode ALL (every environment that has audit events) or SELECTED; null on PUT = ALL
 * @param environments    the environments when SELECTED; empty otherwise
 * @param interval        pause between export passes (ISO-8601, at least PT1S); null on PUT = PT1M
 * @param enabled         false keeps the configuration but stops exporting; null on PUT = true
 */
public record ExportConfig(
        String destination,
        ExportEnvironmentMode environmentMode,
        List<String> environments,
        Duration interval,
        Boolean enabled) {}

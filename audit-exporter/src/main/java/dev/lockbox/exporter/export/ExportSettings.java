package dev.lockbox.exporter.export;

import dev.lockbox.exporter.lake.LakeWriterSettings;
import java.util.List;
import java.util.Objects;

/**
 * What one exporter exports and how.
 *
 * @param environments the environments to export; empty means every environment the source names
 * @param pageSize     events asked for per page of the feed
 * @param writer       file rolling and compression
 */
public record ExportSettings(List<String> environments, int pageSize, LakeWriterSettings writer) {
    public static final int DEFAULT_PAGE_SIZE = 5_000;

    public ExportSettings {
        environments = List.copyOf(environments);
        if (pageSize < 1) throw new IllegalArgumentException("pageSize must be at least 1");
        Objects.requireNonNull(writer, "writer");
    }

    public static ExportSettings allEnvironments() {
        return new ExportSettings(List.of(), DEFAULT_PAGE_SIZE, LakeWriterSettings.DEFAULTS);
    }

    public ExportSettings withEnvironments(List<String> envs) {
        return new ExportSettings(envs, pageSize, writer);
    }

    public ExportSettings withPageSize(int size) {
        return new ExportSettings(environments, size, writer);
    }

    public ExportSettings withWriter(LakeWriterSettings w) {
        return new ExportSettings(environments, pageSize, w);
    }
}

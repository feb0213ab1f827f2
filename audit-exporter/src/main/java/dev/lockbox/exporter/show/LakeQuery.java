package dev.lockbox.exporter.show;

import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.exporter.lake.AuditParquetFormat;
import dev.lockbox.exporter.lake.Lake;
import dev.lockbox.exporter.lake.PartFile;
import java.io.IOException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** Finds rows in the lake for a person: reads only the day partitions the time range can touch. */
public final class LakeQuery {
    private final Lake lake;

    public LakeQuery(Lake lake) {
        this.lake = lake;
    }

    /** Matching events, environment by environment in sequence order, at most {@code filter.limit()}. */
    public List<AuditEvent> find(AuditEventFilter filter) throws IOException {
        LocalDate fromDay = filter.from() == null ? null : LocalDate.ofInstant(filter.from(), ZoneOffset.UTC);
        LocalDate toDay = filter.to() == null ? null : LocalDate.ofInstant(filter.to(), ZoneOffset.UTC);
        List<String> envs = filter.environments().isEmpty() ? lake.environments() : filter.environments();
        List<AuditEvent> found = new ArrayList<>();
        for (String env : envs) {
            for (PartFile f : lake.partFiles(env, fromDay, toDay)) {
                if (found.size() >= filter.limit()) return found;
                AuditParquetFormat.read(lake, f, e -> {
                    if (found.size() < filter.limit() && filter.matches(e)) found.add(e);
                });
            }
        }
        return found;
    }
}

package dev.lockbox.exporter.export;

import dev.lockbox.exporter.lake.Lake;
import dev.lockbox.exporter.lake.LakeWriterSettings;
import dev.lockbox.exporter.testing.SyntheticAuditFeed;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The exporter as a child process for {@link CrashSafetyTest}: exports the deterministic feed
 * once, with small files so that a kill lands between, during and after many commits.
 * Args: lake, events per environment, environments...
 */
public final class CrashableExportMain {
    public static void main(String[] args) throws Exception {
        String lakeDir = args[0];
        long events = Long.parseLong(args[1]);
        List<String> envs = List.of(args).subList(2, args.length);
        SyntheticAuditFeed feed = feed(events, envs);
        try (Lake lake = Lake.open(lakeDir)) {
            System.out.println("READY");
            System.out.flush();
            ExportReport report = new AuditExporter(lake, feed, new ExportSettings(envs, 150,
                    LakeWriterSettings.DEFAULTS.withMaxRowsPerFile(400)), Clock.systemUTC()).exportOnce();
            System.out.println(report.succeeded() ? "DONE" : "FAILED " + report);
            System.exit(report.succeeded() ? 0 : 1);
        }
    }

    static SyntheticAuditFeed feed(long events, List<String> envs) {
        // Events 9 s apart from 22:00 UTC, so the day boundary splits files too.
        return new SyntheticAuditFeed(99, envs, events, Instant.parse("2026-02-27T22:00:00Z"), Duration.ofSeconds(9));
    }
}

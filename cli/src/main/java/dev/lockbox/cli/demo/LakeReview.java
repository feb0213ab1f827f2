package dev.lockbox.cli.demo;

import dev.lockbox.exporter.export.AuditExporter;
import dev.lockbox.exporter.export.ExportReport;
import dev.lockbox.exporter.export.ExportSettings;
import dev.lockbox.exporter.feed.HttpAuditEventSource;
import dev.lockbox.exporter.lake.Lake;
import dev.lockbox.exporter.lake.PartFile;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The auditor's side of the demo: export the environment's audit events from the server's feed
 * (with audra's auditor token) into the Parquet lake, then {@code verify} and {@code show} it.
 */
final class LakeReview {

    Export export(DemoStage stage) throws Exception {
        List<String> lines = new ArrayList<>();
        String lake = stage.lakeDir().toAbsolutePath().toString();
        lines.add("$ ./lockbox export --server " + stage.server.baseUrl() + " --lake " + lake + " --env " + DemoStage.ENVIRONMENT);
        HttpAuditEventSource feed = new HttpAuditEventSource(URI.create(stage.server.baseUrl()), stage.user("audra").token(),
                List.of(DemoStage.ENVIRONMENT));
        ExportReport report;
        long rows = 0;
        int files = 0;
        try (Lake l = Lake.open(lake)) {
            try (AuditExporter exporter = new AuditExporter(l, feed,
                    ExportSettings.allEnvironments().withEnvironments(List.of(DemoStage.ENVIRONMENT)), Clock.systemUTC())) {
                report = exporter.exportOnce();
            }
            for (PartFile f : l.partFiles(DemoStage.ENVIRONMENT)) {
                lines.add("wrote " + f.displayName() + " (" + f.rowCount() + " rows)");
                rows += f.rowCount();
                files++;
            }
        }
        for (ExportReport.EnvironmentExport e : report.environments()) {
            if (e.error() != null) lines.add(e.environment() + ": " + e.error());
        }
        return new Export(report.succeeded(), files, rows, lines);
    }

    Run verify(DemoStage stage) {
        return notInThisBuild("verify");
    }

    Run show(DemoStage stage, String engineer) {
        return notInThisBuild("show");
    }

    private static Run notInThisBuild(String command) {
        return new Run(1, List.of("the exporter's '" + command + "' command is not in this build yet"));
    }

    record Export(boolean succeeded, int files, long rows, List<String> lines) {}

    record Run(int exitCode, List<String> lines) {}
}

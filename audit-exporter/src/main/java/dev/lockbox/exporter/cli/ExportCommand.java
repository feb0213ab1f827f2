package dev.lockbox.exporter.cli;

import dev.lockbox.exporter.export.AuditExporter;
import dev.lockbox.exporter.export.ExportReport;
import dev.lockbox.exporter.export.ExportSettings;
import dev.lockbox.exporter.feed.HttpAuditEventSource;
import dev.lockbox.exporter.lake.Lake;
import dev.lockbox.exporter.lake.LakeWriterSettings;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Reads sealed audit events from the approval server (GET /api/audit/events, auditor token) "
                + "and writes them to the lake, exactly once: a rerun continues after the last committed file.",
                "Once by default; with --follow, every --interval until stopped (Ctrl-C commits what is open).",
                "Without --env, exports every environment the server has audit events for (GET /api/audit/environments)."})
final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    LakeOptions lake;

    @Option(names = "--server", required = true, paramLabel = "URL",
            description = "Approval server base URL, e.g. http://127.0.0.1:8080")
    URI server;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:LOCKBOX_TOKEN}",
            description = "Auditor API token. Default: the LOCKBOX_TOKEN environment variable.")
    String token;

    @Option(names = "--follow", description = "Keep exporting every --interval until stopped.")
    boolean follow;

    @Option(names = "--interval", defaultValue = "30s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Pause between passes with --follow (30s, 5m, PT1M). Default: ${DEFAULT-VALUE}")
    Duration interval;

    @Option(names = "--max-rows", defaultValue = "1000000", paramLabel = "N",
            description = "Commit a file once it holds this many rows. Default: ${DEFAULT-VALUE}")
    int maxRows;

    @Option(names = "--max-age", defaultValue = "15m", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "With --follow, commit a file once it is this old. Default: ${DEFAULT-VALUE}")
    Duration maxAge;

    @Option(names = "--page-size", defaultValue = "5000", paramLabel = "N",
            description = "Events asked for per request. Default: ${DEFAULT-VALUE}")
    int pageSize;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        // No --env: every environment the server has audit events for, asked again at each pass.
        List<String> envs = lake.environments();
        if (token == null || token.isBlank()) {
            throw new ParameterException(spec.commandLine(), "an auditor token is needed: --token or LOCKBOX_TOKEN");
        }
        if (maxRows < 1 || pageSize < 1) {
            throw new ParameterException(spec.commandLine(), "--max-rows and --page-size must be at least 1");
        }
        HttpAuditEventSource source;
        try {
            source = new HttpAuditEventSource(server, token, envs);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        ExportSettings settings = new ExportSettings(envs, pageSize,
                LakeWriterSettings.DEFAULTS.withMaxRowsPerFile(maxRows).withMaxFileAge(maxAge));
        try (Lake target = Lake.open(lake.lake)) {
            AuditExporter exporter = new AuditExporter(target, source, settings, Clock.systemUTC());
            if (!follow) {
                ExportReport report = exporter.exportOnce();
                for (ExportReport.EnvironmentExport e : report.environments()) {
                    out.printf("%s: %d rows exported in %d files, lake at sequence %d%s%n", e.environment(),
                            e.rowsRead(), e.filesCommitted(), e.lastCommittedSequence(),
                            e.error() == null ? "" : " - FAILED: " + e.error());
                }
                out.flush();
                return report.succeeded() ? 0 : ExporterCommand.EXIT_FAILED;
            }
            AtomicBoolean running = new AtomicBoolean(true);
            CountDownLatch stopped = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                running.set(false);
                try {
                    stopped.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "lockbox-exporter-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                exporter.follow(interval, running::get);
            } finally {
                stopped.countDown();
            }
            return 0;
        }
    }
}

package dev.lockbox.cli.demo;

import dev.lockbox.exporter.cli.ExporterCommand;
import dev.lockbox.exporter.lake.Lake;
import dev.lockbox.exporter.lake.PartFile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * The auditor's side of the demo, with the exporter's own commands (the ones {@code ./lockbox
 * export|verify|show} runs): export the environment's audit events from the server's feed with
 * audra's auditor token into the Parquet lake, verify the hash chain over it, show bob's rows.
 */
final class LakeReview {

    Export export(DemoStage stage) throws Exception {
        String lake = lakeLocation(stage);
        Run run = exporter(List.of("export", "--server", stage.server.baseUrl(), "--token", stage.user("audra").token(),
                "--lake", lake, "--env", DemoStage.ENVIRONMENT), "$ ./lockbox export --server " + stage.server.baseUrl()
                + " --lake " + lake + " --env " + DemoStage.ENVIRONMENT + "   (LOCKBOX_TOKEN = audra's token)");
        List<String> lines = new ArrayList<>(run.lines());
        long rows = 0;
        int files = 0;
        try (Lake l = Lake.open(lake)) {
            for (PartFile f : l.partFiles(DemoStage.ENVIRONMENT)) {
                lines.add("wrote " + f.displayName() + " (" + f.rowCount() + " rows)");
                rows += f.rowCount();
                files++;
            }
        }
        return new Export(run.exitCode() == 0, files, rows, lines);
    }

    Run verify(DemoStage stage) {
        String lake = lakeLocation(stage);
        return exporter(List.of("verify", "--lake", lake, "--env", DemoStage.ENVIRONMENT),
                "$ ./lockbox verify --lake " + lake + " --env " + DemoStage.ENVIRONMENT);
    }

    Run show(DemoStage stage, String engineer) {
        String lake = lakeLocation(stage);
        return exporter(List.of("show", "--lake", lake, "--env", DemoStage.ENVIRONMENT, "--engineer", engineer, "--width", "70"),
                "$ ./lockbox show --lake " + lake + " --env " + DemoStage.ENVIRONMENT + " --engineer " + engineer);
    }

    private static String lakeLocation(DemoStage stage) {
        return stage.lakeDir().toAbsolutePath().toString();
    }

    /** Runs one exporter command in this JVM; its output (both streams) becomes the step's details. */
    private static Run exporter(List<String> args, String shown) {
        StringWriter text = new StringWriter();
        PrintWriter writer = new PrintWriter(text, true);
        CommandLine cl = ExporterCommand.newCommandLine();
        cl.setOut(writer);
        cl.setErr(writer);
        int code = cl.execute(args.toArray(String[]::new));
        writer.flush();
        List<String> lines = new ArrayList<>();
        lines.add(shown);
        for (String line : text.toString().split("\\R")) {
            if (!line.isBlank()) lines.add(line);
        }
        return new Run(code, lines);
    }

    record Export(boolean succeeded, int files, long rows, List<String> lines) {}

    record Run(int exitCode, List<String> lines) {}
}

package dev.lockbox.exporter.cli;

import dev.lockbox.exporter.lake.Lake;
import dev.lockbox.exporter.verify.LakeVerifier;
import dev.lockbox.exporter.verify.VerificationReport;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Recomputes each environment's hash chain over the exported files.",
                "Exits 0 when every chain is intact, 1 naming the first bad file and sequence on any gap, "
                        + "duplicate, reordering or altered value."})
final class VerifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    LakeOptions lake;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (Lake target = Lake.open(lake.lake)) {
            VerificationReport report = new LakeVerifier(target).verify(lake.environments());
            if (report.environments().isEmpty()) {
                err.println("no environments in the lake at " + target.root());
                err.flush();
                return ExporterCommand.EXIT_FAILED;
            }
            for (VerificationReport.EnvironmentResult e : report.environments()) {
                if (e.problem() == null) {
                    out.printf("%s: intact, %d rows in %d files, sequences 1..%d, last hash %s%n", e.environment(),
                            e.rows(), e.files(), e.lastSequence(), e.lastHash());
                } else {
                    out.printf("%s: BROKEN after %d intact rows%n", e.environment(), e.rows());
                    err.println("verify failed: " + e.problem());
                }
            }
            out.flush();
            err.flush();
            return report.intact() ? 0 : ExporterCommand.EXIT_FAILED;
        }
    }
}

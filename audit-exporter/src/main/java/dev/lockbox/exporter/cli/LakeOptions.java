package dev.lockbox.exporter.cli;

import dev.lockbox.exporter.feed.HttpAuditEventSource;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Options every command shares: where the lake is and which environments to work on. */
public final class LakeOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--lake", paramLabel = "URI", defaultValue = "./data/lake",
            description = "Data lake (default ${DEFAULT-VALUE}): a local directory or a Hadoop FileSystem URI "
                    + "(file:, hdfs:, s3a:, abfs:).")
    String lake;

    @Option(names = "--env", paramLabel = "NAME",
            description = "Environment to work on; repeat for several. Default: all in the lake "
                    + "(export: all the server has audit events for).")
    List<String> environments = new ArrayList<>();

    List<String> environments() {
        for (String env : environments) {
            if (!HttpAuditEventSource.ENVIRONMENT_NAME.matcher(env).matches()) {
                throw new ParameterException(spec.commandLine(),
                        "not an environment name: '" + env + "' (expected [a-z0-9][a-z0-9-]{0,62})");
            }
        }
        return List.copyOf(environments);
    }
}

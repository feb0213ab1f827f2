package dev.lockbox.exporter.cli;

import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.exporter.lake.Lake;
import dev.lockbox.exporter.show.AuditEventFilter;
import dev.lockbox.exporter.show.AuditEventTable;
import dev.lockbox.exporter.show.LakeQuery;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "show", mixinStandardHelpOptions = true,
        description = "Prints audit rows from the lake as a table, filtered by environment, engineer, request, "
                + "action and time range (times in UTC).")
final class ShowCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    LakeOptions lake;

    @Option(names = "--engineer", paramLabel = "USER", description = "Only this engineer's rows.")
    String engineer;

    @Option(names = "--request", paramLabel = "ID", description = "Only rows of this access request.")
    String request;

    @Option(names = "--action", paramLabel = "ACTION", description = "Only this action, e.g. UPDATE or CONNECT.")
    String action;

    @Option(names = "--from", paramLabel = "TIME", converter = InstantConverter.class,
            description = "From this time on (2026-03-01, 2026-03-01T12:00, or with an offset).")
    Instant from;

    @Option(names = "--to", paramLabel = "TIME", converter = InstantConverter.class,
            description = "Before this time.")
    Instant to;

    @Option(names = "--limit", defaultValue = "100", paramLabel = "N",
            description = "At most this many rows. Default: ${DEFAULT-VALUE}")
    int limit;

    @Option(names = "--width", defaultValue = "80", paramLabel = "N",
            description = "Cut statements longer than this. Default: ${DEFAULT-VALUE}")
    int width;

    @Override
    public Integer call() throws Exception {
        AuditEventFilter filter;
        try {
            filter = new AuditEventFilter(lake.environments(), engineer, request, action, from, to, limit);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        try (Lake target = Lake.open(lake.lake)) {
            List<AuditEvent> rows = new LakeQuery(target).find(filter);
            spec.commandLine().getOut().print(new AuditEventTable(width).render(rows));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}

package dev.lockbox.cli.request;

import dev.lockbox.api.request.AccessLevel;
import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.api.request.NewAccessRequest;
import dev.lockbox.api.request.RequestStatus;
import dev.lockbox.cli.client.ExitCode;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lockbox request}: an engineer asks for access to an environment, for a support ticket. */
@Command(name = "request", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Ask for access to a protected environment, tied to a support ticket.",
            "The environment's approvers are notified by e-mail; 'lockbox status ID' shows the decision.",
            "On an environment the lockbox policy does not protect, access is granted at once (and still audited)."})
public final class RequestCommand extends ClientCommand {
    @Option(names = {"-e", "--env"}, required = true, paramLabel = "ENV", description = "Environment (protected database) to access.")
    String environment;

    @Option(names = {"-t", "--ticket"}, required = true, paramLabel = "TICKET", description = "Support ticket this access is for, e.g. CAS-01234.")
    String ticket;

    @Option(names = {"-j", "--justification"}, required = true, paramLabel = "TEXT",
            description = "Why you need access: what the approver reads before deciding.")
    String justification;

    @Option(names = {"-l", "--level"}, paramLabel = "LEVEL", defaultValue = "READ_ONLY",
            description = "READ_ONLY (default: only statements proven read-only) or READ_WRITE.")
    AccessLevel level;

    @Option(names = {"-p", "--period"}, paramLabel = "DURATION", defaultValue = "PT1H", converter = IsoDurationConverter.class,
            description = "How long access lasts once approved, ISO-8601 (PT30M, PT2H; default ${DEFAULT-VALUE}). "
                    + "The server caps it (default maximum PT8H).")
    Duration period;

    @Option(names = {"-s", "--scope"}, split = ",", paramLabel = "TABLE",
            description = "Limit access to these tables (comma-separated). Default: the whole database.")
    List<String> scope;

    @Override
    public Integer call() {
        AccessRequest r = client().createRequest(new NewAccessRequest(environment, ticket, justification, level, period,
                scope == null || scope.isEmpty() ? null : scope));
        if (r.status() == RequestStatus.APPROVED) {
            out().println("Access granted at once: " + r.environment() + " is not protected by the lockbox policy"
                    + " (recorded as approved by policy, still audited).");
        } else {
            out().println("Request filed. The approvers of " + r.environment() + " have been notified.");
        }
        RequestView.printDetail(out(), r);
        out().println();
        out().println(r.status() == RequestStatus.APPROVED
                ? "Connect now: ./lockbox sql --env " + r.environment()
                : "Follow it with: ./lockbox status " + r.id());
        return ExitCode.OK;
    }

    /** ISO-8601 durations only, with a message that shows the expected form. */
    public static final class IsoDurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration d;
            try {
                d = Duration.parse(value.strip());
            } catch (RuntimeException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not an ISO-8601 duration (examples: PT30M, PT2H, PT8H)");
            }
            if (d.isZero() || d.isNegative()) {
                throw new CommandLine.TypeConversionException("'" + value + "' must be a positive duration");
            }
            return d;
        }
    }
}

package dev.lockbox.cli.request;

import dev.lockbox.api.request.RequestStatus;
import dev.lockbox.cli.client.ExitCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lockbox status}: one request with its history, or the recent ones the caller may see. */
@Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Show one request with its decision history, or list recent requests.",
            "Engineers see their own requests; approvers also those of the environments they approve; admins and auditors all."})
public final class StatusCommand extends ClientCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "REQUEST_ID", description = "Show this request in detail. Without it: the recent list.")
    String requestId;

    @Option(names = "--status", paramLabel = "STATUS", description = "List only requests in this status: ${COMPLETION-CANDIDATES}.")
    RequestStatus status;

    @Option(names = {"-e", "--env"}, paramLabel = "ENV", description = "List only requests on this environment.")
    String environment;

    @Option(names = "--days", paramLabel = "N", description = "List requests of the last N days (server default: 28).")
    Integer days;

    @Override
    public Integer call() {
        if (requestId != null) {
            RequestView.printDetail(out(), client().request(requestId));
        } else {
            RequestView.printTable(out(), client().recentRequests(status, environment, days));
        }
        return ExitCode.OK;
    }
}

package dev.lockbox.cli.request;

import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.cli.client.ExitCode;
import dev.lockbox.cli.client.LockboxClient.DecisionVerb;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** approve, deny, revoke and cancel: one decision on one request, with an optional comment. */
abstract class DecisionCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "REQUEST_ID", description = "The request, as shown by 'lockbox status'.")
    String requestId;

    @Option(names = {"-m", "--comment"}, paramLabel = "TEXT", description = "Why (kept in the request's history and sent to the requester).")
    String comment;

    abstract DecisionVerb verb();

    @Override
    public Integer call() {
        AccessRequest r = client().decide(requestId, verb(), comment);
        out().println("Request " + r.id() + " is now " + r.status() + " (" + r.status().consoleLabel() + ").");
        RequestView.printDetail(out(), r);
        return ExitCode.OK;
    }
}

package dev.lockbox.cli.request;

import dev.lockbox.cli.client.LockboxClient.DecisionVerb;
import picocli.CommandLine.Command;

/** {@code lockbox approve}. */
@Command(name = "approve", mixinStandardHelpOptions = true, description = {"Approve a pending request (designated approvers of its environment; never your own request).", "Access starts now and ends after the requested period."})
public final class ApproveCommand extends DecisionCommand {
    @Override
    DecisionVerb verb() {
        return DecisionVerb.APPROVE;
    }
}

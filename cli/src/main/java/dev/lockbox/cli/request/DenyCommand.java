package dev.lockbox.cli.request;

import dev.lockbox.cli.client.LockboxClient.DecisionVerb;
import picocli.CommandLine.Command;

/** {@code lockbox deny}. */
@Command(name = "deny", mixinStandardHelpOptions = true, description = {"Deny a pending request (designated approvers of its environment; never your own request)."})
public final class DenyCommand extends DecisionCommand {
    @Override
    DecisionVerb verb() {
        return DecisionVerb.DENY;
    }
}

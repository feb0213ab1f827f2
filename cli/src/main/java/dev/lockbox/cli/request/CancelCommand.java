package dev.lockbox.cli.request;

import dev.lockbox.cli.client.LockboxClient.DecisionVerb;
import picocli.CommandLine.Command;

/** {@code lockbox cancel}. */
@Command(name = "cancel", mixinStandardHelpOptions = true, description = {"Withdraw your own pending request before anyone decides."})
public final class CancelCommand extends DecisionCommand {
    @Override
    DecisionVerb verb() {
        return DecisionVerb.CANCEL;
    }
}

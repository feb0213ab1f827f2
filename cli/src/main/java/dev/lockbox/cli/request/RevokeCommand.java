package dev.lockbox.cli.request;

import dev.lockbox.cli.client.LockboxClient.DecisionVerb;
import picocli.CommandLine.Command;

/** {@code lockbox revoke}. */
@Command(name = "revoke", mixinStandardHelpOptions = true, description = {"End an approved request's access now (approvers of its environment, or admins).", "Open sessions are cut within a second and the issued database user is dropped."})
public final class RevokeCommand extends DecisionCommand {
    @Override
    DecisionVerb verb() {
        return DecisionVerb.REVOKE;
    }
}

package dev.lockbox.cli.request;

import dev.lockbox.cli.CliEnvironment;
import dev.lockbox.cli.LockboxCommand;
import dev.lockbox.cli.client.LockboxClient;
import dev.lockbox.cli.client.ServerOptions;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.ParentCommand;

/** A subcommand that calls the approval server with the caller's token. */
abstract class ClientCommand implements Callable<Integer> {
    @ParentCommand
    LockboxCommand root;

    @ArgGroup(exclusive = false, heading = "%nServer (default: $LOCKBOX_SERVER / $LOCKBOX_TOKEN, else the 'login' config file):%n")
    ServerOptions serverOptions = new ServerOptions();

    CliEnvironment env() {
        return root.environment();
    }

    PrintStream out() {
        return env().out();
    }

    LockboxClient client() {
        return new LockboxClient(serverOptions.resolve(env()));
    }
}

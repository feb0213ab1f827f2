package dev.lockbox.server.environment;

import dev.lockbox.server.broker.TargetDatabase;
import dev.lockbox.server.broker.TargetDirectory;
import java.util.List;
import java.util.Optional;

/**
 * The credential broker's targets, read from the environments table on every call, so an admin's
 * change (a rotated admin password, a new broker environment) applies to the next grant.
 */
public final class EnvironmentTargets implements TargetDirectory {
    private final EnvironmentStore environments;

    public EnvironmentTargets(EnvironmentStore environments) {
        this.environments = environments;
    }

    @Override
    public Optional<TargetDatabase> target(String environment) {
        return environments.find(environment).flatMap(StoredEnvironment::targetDatabase);
    }

    @Override
    public List<TargetDatabase> targets() {
        return environments.list().stream().flatMap(e -> e.targetDatabase().stream()).toList();
    }
}

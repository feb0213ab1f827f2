package dev.lockbox.server.broker;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Where the broker finds each environment's target database (configuration, or the environments table). */
public interface TargetDirectory {
    Optional<TargetDatabase> target(String environment);

    /** Every configured target; reconciliation scans each of them for users the broker left behind. */
    List<TargetDatabase> targets();

    static TargetDirectory of(TargetDatabase... targets) {
        Map<String, TargetDatabase> byName = new LinkedHashMap<>();
        for (TargetDatabase t : targets) {
            if (byName.put(t.environment(), t) != null) {
                throw new IllegalArgumentException("environment '" + t.environment() + "' has two targets");
            }
        }
        List<TargetDatabase> all = List.copyOf(byName.values());
        return new TargetDirectory() {
            @Override
            public Optional<TargetDatabase> target(String environment) {
                return Optional.ofNullable(byName.get(environment));
            }

            @Override
            public List<TargetDatabase> targets() {
                return all;
            }
        };
    }
}

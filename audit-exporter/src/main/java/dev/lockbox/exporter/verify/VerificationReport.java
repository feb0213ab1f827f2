package dev.lockbox.exporter.verify;

import java.util.List;
import java.util.Optional;

/** What {@link LakeVerifier} found, per environment. */
public record VerificationReport(List<EnvironmentResult> environments) {

    /**
     * @param files        files checked (up to the problem, if any)
     * @param rows         rows whose chain link and hash were checked and found intact
     * @param lastSequence last intact sequence
     * @param lastHash     hash of the last intact row (compare it with the server's to detect a cut tail)
     * @param problem      the first problem, or null when the chain is intact
     */
    public record EnvironmentResult(String environment, int files, long rows, long lastSequence, String lastHash,
                                    ChainProblem problem) {}

    public boolean intact() {
        return !environments.isEmpty() && environments.stream().allMatch(e -> e.problem() == null);
    }

    public Optional<ChainProblem> firstProblem() {
        return environments.stream().map(EnvironmentResult::problem).filter(p -> p != null).findFirst();
    }
}

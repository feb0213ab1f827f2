package dev.lockbox.exporter.export;

import java.time.Instant;
import java.util.List;

/** What one export pass did, per environment. */
public record ExportReport(Instant startedAt, Instant finishedAt, List<EnvironmentExport> environments) {

    /**
     * @param rowsRead              events read from the feed in this pass
     * @param filesCommitted        files committed in this pass
     * @param lastCommittedSequence highest sequence committed in the lake after the pass
     * @param pendingRows           rows written to a file that is not committed yet (follow mode)
     * @param error                 why the environment failed, or null
     */
    public record EnvironmentExport(String environment, long rowsRead, int filesCommitted,
                                    long lastCommittedSequence, long pendingRows, String error) {}

    public boolean succeeded() {
        return environments.stream().allMatch(e -> e.error() == null);
    }

    public long rowsRead() {
        return environments.stream().mapToLong(EnvironmentExport::rowsRead).sum();
    }

    public int filesCommitted() {
        return environments.stream().mapToInt(EnvironmentExport::filesCommitted).sum();
    }
}

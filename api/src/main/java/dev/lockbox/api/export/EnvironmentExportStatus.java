package dev.lockbox.api.export;

/**
 * Export progress of one environment.
 *
 * @param lastExportedSequence highest sequence committed to the lake (0: nothing yet)
 * @param latestSequence       highest sealed sequence in the server's audit log
 * @param lag                  sealed events not yet committed to the lake
 *                             ({@code latestSequence - lastExportedSequence})
 */
public record EnvironmentExportStatus(String environment, long lastExportedSequence, long latestSequence, long lag) {}

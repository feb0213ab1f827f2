package dev.lockbox.api.export;

/**
 * State of the in-server exporter (console labels "Connected" and "Disabled"): {@code CONNECTED}
 * while it runs a pass every interval; {@code DISABLED} when export is not configured, switched
 * off, or the lockbox policy protects no environment ({@link ExportStatus#reason()} says which).
 */
public enum ExportState {
    CONNECTED,
    DISABLED
}

package dev.lockbox.api.export;

/** Which environments the in-server exporter copies: every one that has audit events, or a list. */
public enum ExportEnvironmentMode {
    ALL,
    SELECTED
}

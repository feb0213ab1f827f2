package dev.lockbox.driver.config;

/** How statements wait for their audit events (DESIGN.md, "Driver"). */
public enum AuditMode {
    /** Each statement waits until the server has durably stored its event. */
    SYNC,
    /** Events are shipped in batches; new statements are refused once too many are unacknowledged. */
    ASYNC
}

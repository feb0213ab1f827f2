package dev.lockbox.api.audit;

/** Whether the driver let a statement (or a connection) through. */
public enum Decision {
    ALLOWED,
    DENIED
}

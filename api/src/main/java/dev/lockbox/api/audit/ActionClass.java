package dev.lockbox.api.audit;

/**
 * Statement classes as pgaudit names them. Session events (CONNECT, CONNECT_DENIED, DISCONNECT)
 * are {@link #MISC}.
 */
public enum ActionClass {
    READ,
    WRITE,
    DDL,
    ROLE,
    FUNCTION,
    MISC
}

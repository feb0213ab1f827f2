package dev.lockbox.server.broker;

/** The broker could not do what was asked on a target database or in its store; nothing was handed out. */
public final class BrokerException extends RuntimeException {
    public BrokerException(String message) {
        super(message);
    }

    public BrokerException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.lockbox.server.broker;

/**
 * Told of each broker action after it happened on the target. Called on the broker's calling
 * thread; an exception thrown here is logged and does not undo the action.
 */
@FunctionalInterface
public interface BrokerEventListener {
    BrokerEventListener NONE = e -> {};

    void brokerEvent(BrokerEvent event);
}

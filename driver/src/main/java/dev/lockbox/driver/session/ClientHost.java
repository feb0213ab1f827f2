package dev.lockbox.driver.session;

import java.net.InetAddress;

/** The local host name recorded with sessions and audit events; resolved once (DNS can be slow). */
final class ClientHost {
    private static final String NAME = resolve();

    private ClientHost() {}

    static String name() {
        return NAME;
    }

    private static String resolve() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "unknown";
        }
    }
}

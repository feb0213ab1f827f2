package dev.lockbox.server.http;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log: one line per request handled, {@code METHOD PATH STATUS MS user=NAME}. Path
 * only (no query string, headers or bodies), so no token or password reaches the log.
 */
public final class AccessLog {
    private static final Logger ACCESS = LoggerFactory.getLogger("dev.lockbox.server.access");

    private AccessLog() {}

    public static void request(String method, String path, int status, double ms, String user) {
        if (!ACCESS.isInfoEnabled()) return;
        long tenths = Math.round(ms * 10.0);
        ACCESS.info("{} {} {} {}.{}ms user={}", method, path, status, tenths / 10, tenths % 10, user == null ? "-" : user);
    }
}

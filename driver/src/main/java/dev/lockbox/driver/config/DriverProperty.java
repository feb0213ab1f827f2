package dev.lockbox.driver.config;

import java.sql.DriverPropertyInfo;

/**
 * Every connection property the driver understands, with its default and the text
 * {@code Driver.getPropertyInfo} shows in a tool's connection dialog.
 */
public enum DriverProperty {
    USER("user", null, true, "Lockbox user name (the engineer who holds the grant)."),
    PASSWORD("password", null, true, "The Lockbox user's API token (not a database password)."),
    SSL("ssl", "false", false, "Reach the approval server over https.", "true", "false"),
    AUDIT("audit", "sync", false,
            "sync: each statement waits until the server has durably stored its audit event; "
                    + "async: events are shipped in batches and statements are refused once too many are unacknowledged.",
            "sync", "async"),
    AUDIT_MAX_PENDING("auditMaxPending", "10000", false,
            "audit=async: refuse new statements once this many audit events are unacknowledged (1..10000000)."),
    AUDIT_MAX_LAG_MS("auditMaxLagMs", "5000", false,
            "audit=async: refuse new statements once an unacknowledged audit event is older than this (50..3600000 ms)."),
    AUDIT_LINGER_MS("auditLingerMs", "5", false,
            "audit=async: how long the shipper waits for more events before sending a batch (0..1000 ms, at most "
                    + "half of auditMaxLagMs; 0 sends at once); fewer, larger batches cost the server far less per event."),
    GRANT_CHECK_INTERVAL_MS("grantCheckIntervalMs", "500", false,
            "How often the grant's state is polled from the server (10..1000 ms; ends sessions within one second)."),
    GRANT_CONFIRM_TIMEOUT_MS("grantConfirmTimeoutMs", "5000", false,
            "Refuse statements while the grant's state could not be confirmed for longer than this (100..600000 ms)."),
    CONNECT_TIMEOUT_MS("connectTimeoutMs", "10000", false,
            "Timeout of each call to the approval server (100..600000 ms)."),
    APPLICATION_NAME("applicationName", null, false,
            "Application name recorded with every audit event (at most 128 printable characters).");

    private final String key;
    private final String defaultValue;
    private final boolean required;
    private final String description;
    private final String[] choices;

    DriverProperty(String key, String defaultValue, boolean required, String description, String... choices) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.required = required;
        this.description = description;
        this.choices = choices.length == 0 ? null : choices;
    }

    public String key() {
        return key;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public static DriverProperty byKey(String key) {
        for (DriverProperty p : values()) {
            if (p.key.equals(key)) {
                return p;
            }
        }
        return null;
    }

    /** {@code value} is the value currently set (from the URL or the properties), or null. */
    public DriverPropertyInfo info(String value) {
        DriverPropertyInfo info = new DriverPropertyInfo(key, value != null ? value : defaultValue);
        info.required = required;
        info.description = description;
        info.choices = choices == null ? null : choices.clone();
        return info;
    }
}

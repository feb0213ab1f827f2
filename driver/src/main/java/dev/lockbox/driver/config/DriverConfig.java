package dev.lockbox.driver.config;

import dev.lockbox.driver.SqlState;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * A validated {@code jdbc:lockbox://HOST:PORT/ENVIRONMENT[?prop=value&...]} URL with its
 * properties. Parsing contacts nothing; every bad value is an {@link SqlState#CANNOT_CONNECT}
 * SQLException naming the value and what is allowed.
 */
public record DriverConfig(
        String url,
        String host,
        int port,
        String environment,
        boolean ssl,
        AuditMode auditMode,
        int auditMaxPending,
        long auditMaxLagMs,
        long auditLingerMs,
        long grantCheckIntervalMs,
        long grantConfirmTimeoutMs,
        long connectTimeoutMs,
        String applicationName,
        String user,
        String token) {

    public static final String PREFIX = "jdbc:lockbox://";

    private static final Pattern ENVIRONMENT = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,252}[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+\\]");
    private static final Pattern PRINTABLE = Pattern.compile("[\\p{Print}&&[^\\p{Cntrl}]]{1,128}");

    public static boolean accepts(String url) {
        return url != null && url.startsWith(PREFIX);
    }

    /**
     * Properties given in the URL win over {@code info} (as in pgjdbc); unknown keys in the URL
     * are refused (a typo must not silently fall back to a default), unknown keys in {@code info}
     * are ignored because tools add their own.
     */
    public static DriverConfig parse(String url, Properties info) throws SQLException {
        if (!accepts(url)) {
            throw invalid("A Lockbox URL starts with " + PREFIX + " (got " + quote(url) + ")");
        }
        String rest = url.substring(PREFIX.length());
        String query = null;
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        int slash = rest.indexOf('/');
        if (slash < 0) {
            throw invalid("The Lockbox URL " + quote(url) + " has no environment: use " + PREFIX + "HOST:PORT/ENVIRONMENT");
        }
        String authority = rest.substring(0, slash);
        String environment = rest.substring(slash + 1);
        int colon = authority.lastIndexOf(':');
        if (colon < 0 || authority.endsWith("]")) {
            throw invalid("The Lockbox URL " + quote(url) + " has no port: use " + PREFIX + "HOST:PORT/ENVIRONMENT");
        }
        String host = authority.substring(0, colon);
        if (!HOST.matcher(host).matches()) {
            throw invalid("Invalid approval server host " + quote(host) + " in the Lockbox URL");
        }
        int port = (int) number("port", authority.substring(colon + 1), 1, 65535);
        if (!ENVIRONMENT.matcher(environment).matches()) {
            throw invalid("Invalid environment name " + quote(environment)
                    + " in the Lockbox URL: lower-case letters, digits and '-', at most 63 characters");
        }

        Map<DriverProperty, String> values = new EnumMap<>(DriverProperty.class);
        if (info != null) {
            for (DriverProperty p : DriverProperty.values()) {
                String v = info.getProperty(p.key());
                if (v != null) {
                    values.put(p, v);
                }
            }
        }
        Map<DriverProperty, String> fromUrl = new EnumMap<>(DriverProperty.class);
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&", -1)) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw invalid("Invalid URL property " + quote(pair) + ": use name=value");
                }
                String key = decode(pair.substring(0, eq));
                String value = decode(pair.substring(eq + 1));
                DriverProperty p = DriverProperty.byKey(key);
                if (p == null) {
                    throw invalid("Unknown Lockbox URL property " + quote(key) + "; known: " + knownKeys());
                }
                if (p == DriverProperty.PASSWORD) {
                    // A token in a URL ends up in logs and tool history files.
                    throw invalid("Do not put the API token in the Lockbox URL; give it as the JDBC password");
                }
                if (fromUrl.put(p, value) != null) {
                    throw invalid("URL property " + quote(key) + " is given twice");
                }
            }
        }
        values.putAll(fromUrl);

        boolean ssl = bool(DriverProperty.SSL, value(values, DriverProperty.SSL));
        String auditText = value(values, DriverProperty.AUDIT).trim().toLowerCase(Locale.ROOT);
        AuditMode audit = switch (auditText) {
            case "sync" -> AuditMode.SYNC;
            case "async" -> AuditMode.ASYNC;
            default -> throw invalid("Invalid audit=" + quote(auditText) + ": use sync or async");
        };
        int maxPending = (int) number(DriverProperty.AUDIT_MAX_PENDING.key(), value(values, DriverProperty.AUDIT_MAX_PENDING), 1, 10_000_000);
        long maxLag = number(DriverProperty.AUDIT_MAX_LAG_MS.key(), value(values, DriverProperty.AUDIT_MAX_LAG_MS), 50, 3_600_000);
        long linger = number(DriverProperty.AUDIT_LINGER_MS.key(), value(values, DriverProperty.AUDIT_LINGER_MS), 0, 1000);
        if (linger * 2 > maxLag) {
            // A linger near the lag bound would refuse statements whose events are merely waiting for company.
            throw invalid("Invalid auditLingerMs " + linger + ": at most half of auditMaxLagMs (" + maxLag + ")");
        }
        long checkInterval = number(DriverProperty.GRANT_CHECK_INTERVAL_MS.key(), value(values, DriverProperty.GRANT_CHECK_INTERVAL_MS), 10, 1000);
        long confirmTimeout = number(DriverProperty.GRANT_CONFIRM_TIMEOUT_MS.key(), value(values, DriverProperty.GRANT_CONFIRM_TIMEOUT_MS), 100, 600_000);
        long connectTimeout = number(DriverProperty.CONNECT_TIMEOUT_MS.key(), value(values, DriverProperty.CONNECT_TIMEOUT_MS), 100, 600_000);
        String applicationName = values.get(DriverProperty.APPLICATION_NAME);
        if (applicationName != null && !PRINTABLE.matcher(applicationName).matches()) {
            throw invalid("Invalid applicationName: 1 to 128 printable characters");
        }
        String user = values.get(DriverProperty.USER);
        String token = values.get(DriverProperty.PASSWORD);
        return new DriverConfig(url, host, port, environment, ssl, audit, maxPending, maxLag, linger, checkInterval,
                confirmTimeout, connectTimeout, applicationName, user, token);
    }

    /** Base URI of the approval server, e.g. {@code http://127.0.0.1:8080}. */
    public URI serverUri() {
        return URI.create((ssl ? "https://" : "http://") + host + ":" + port);
    }

    public Duration connectTimeout() {
        return Duration.ofMillis(connectTimeoutMs);
    }

    @Override
    public String toString() {
        return "DriverConfig[url=" + url + ", user=" + user + ", token=***]";
    }

    private static String value(Map<DriverProperty, String> values, DriverProperty p) {
        return values.getOrDefault(p, p.defaultValue());
    }

    private static boolean bool(DriverProperty p, String v) throws SQLException {
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw invalid("Invalid " + p.key() + "=" + quote(v) + ": use true or false");
        };
    }

    private static long number(String name, String text, long min, long max) throws SQLException {
        long v;
        try {
            v = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw invalid("Invalid " + name + " " + quote(text) + ": expected a whole number from " + min + " to " + max);
        }
        if (v < min || v > max) {
            throw invalid("Invalid " + name + " " + v + ": expected a whole number from " + min + " to " + max);
        }
        return v;
    }

    private static String decode(String s) throws SQLException {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid("Invalid percent-encoding in URL property " + quote(s));
        }
    }

    private static String knownKeys() {
        StringBuilder sb = new StringBuilder();
        for (DriverProperty p : DriverProperty.values()) {
            if (p != DriverProperty.PASSWORD) {
                sb.append(sb.length() == 0 ? "" : ", ").append(p.key());
            }
        }
        return sb.toString();
    }

    private static String quote(String s) {
        if (s == null) {
            return "null";
        }
        return "'" + (s.length() > 200 ? s.substring(0, 200) + "..." : s) + "'";
    }

    private static SQLException invalid(String message) {
        return SqlState.CANNOT_CONNECT.exception(message);
    }
}

package dev.lockbox.server;

import dev.lockbox.server.ServerConfig.SmtpSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

/**
 * Builds a {@link ServerConfig} from three layers, most specific first: command-line flags, then
 * {@code LOCKBOX_*} environment variables, then a properties file, then the defaults. A setting
 * named {@code smtp-host} is the flag {@code --smtp-host}, the variable {@code LOCKBOX_SMTP_HOST}
 * and the file key {@code smtp-host}.
 */
public final class ServerSettings {
    private final Map<String, String> flags;
    private final Map<String, String> env;
    private final Properties file;

    public ServerSettings(Map<String, String> flags, Map<String, String> env, Properties file) {
        this.flags = flags;
        this.env = env;
        this.file = file;
    }

    public ServerConfig toConfig() {
        ServerConfig d = ServerConfig.defaults();
        SmtpSettings smtp = new SmtpSettings(get("smtp-host", s -> s, null), get("smtp-port", ServerSettings::port, 25),
                get("smtp-from", s -> s, d.smtp().from()), get("smtp-user", s -> s, null), get("smtp-password", s -> s, null),
                d.smtp().retryInitial(), d.smtp().retryMax());
        return new ServerConfig(
                get("host", s -> s, d.host()),
                get("port", ServerSettings::port, d.port()),
                get("data-dir", Path::of, d.dataDir()),
                get("store-url", s -> s, null),
                get("store-user", s -> s, d.storeUser()),
                get("store-password", s -> s, d.storePassword()),
                get("request-ttl", duration("request-ttl"), d.requestTtl()),
                get("max-access-period", duration("max-access-period"), d.maxAccessPeriod()),
                get("recent-window", duration("recent-window"), d.recentWindow()),
                get("outcome-timeout", duration("outcome-timeout"), d.outcomeTimeout()),
                get("admin-token", s -> s, null),
                smtp,
                d.tickInterval(),
                get("audit-channel-port", ServerSettings::port, d.auditChannelPort()),
                get("audit-journal", ServerSettings::onOff, d.auditJournal()));
    }

    /** The value of one setting: flag, else environment variable, else file, else {@code dflt}. */
    private <T> T get(String name, Function<String, T> parse, T dflt) {
        String v = flags.get(name);
        if (v == null) v = env.get("LOCKBOX_" + name.toUpperCase(Locale.ROOT).replace('-', '_'));
        if (v == null) v = file.getProperty(name);
        if (v == null || v.isBlank()) return dflt;
        return parse.apply(v.strip());
    }

    private static int port(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a port number: " + s);
        }
    }

    private static boolean onOff(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "true", "on" -> true;
            case "false", "off" -> false;
            default -> throw new IllegalArgumentException("audit-journal: not on/off (or true/false): " + s);
        };
    }

    private static Function<String, Duration> duration(String name) {
        return s -> {
            try {
                return Duration.parse(s);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(name + ": not an ISO-8601 duration (e.g. PT12H, P28D): " + s);
            }
        };
    }
}

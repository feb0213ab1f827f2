package dev.lockbox.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything the approval server is configured with. {@link #defaults()} gives the values of
 * DESIGN.md / issue 2; the {@code with*} methods return changed copies.
 *
 * @param host            address to listen on (loopback by default)
 * @param port            0 = any free port (printed on start)
 * @param dataDir         where the embedded H2 store lives by default
 * @param storeUrl        JDBC URL of the store; null = embedded H2 file under {@code dataDir}
 * @param adminToken      bootstrap token of user {@code admin}; null = generated and printed once
 * @param smtp            mail delivery; {@code smtp.host() == null} keeps mails queued in the outbox
 * @param tickInterval    how often the scheduler runs on its own thread
 * @param auditChannelPort port of the audit channel on {@code host} (docs/audit-log.md, "The audit
 *                        channel"); null = no channel (the default), 0 = any free port
 * @param auditJournal    acknowledge audit batches once appended to the intake journal under
 *                        {@code dataDir/audit-journal} and write them to the store behind it
 *                        (docs/audit-log.md, "The intake journal"); H2 stores only, off by default
 */
public record ServerConfig(
        String host,
        int port,
        Path dataDir,
        String storeUrl,
        String storeUser,
        String storePassword,
        Duration requestTtl,
        Duration maxAccessPeriod,
        Duration recentWindow,
        Duration outcomeTimeout,
        String adminToken,
        SmtpSettings smtp,
        Duration tickInterval,
        Integer auditChannelPort,
        boolean auditJournal) {

    public ServerConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(dataDir, "dataDir");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0..65535: " + port);
        if (auditChannelPort != null && (auditChannelPort < 0 || auditChannelPort > 65535)) {
            throw new IllegalArgumentException("audit channel port must be 0..65535: " + auditChannelPort);
        }
        if (auditChannelPort != null && auditChannelPort != 0 && auditChannelPort == port) {
            throw new IllegalArgumentException("audit channel port must differ from the HTTP port: " + port);
        }
        if (auditJournal && storeUrl != null && !storeUrl.startsWith("jdbc:h2:")) {
            throw new IllegalArgumentException("the audit journal is for the H2 store of a single server; with "
                    + "PostgreSQL every audit batch is committed (fsync) before it is acknowledged, and replicas "
                    + "must not acknowledge on separate journals: turn audit-journal off");
        }
        requirePositive("requestTtl", requestTtl);
        requirePositive("maxAccessPeriod", maxAccessPeriod);
        requirePositive("recentWindow", recentWindow);
        requirePositive("outcomeTimeout", outcomeTimeout);
        requirePositive("tickInterval", tickInterval);
        Objects.requireNonNull(smtp, "smtp");
        if (adminToken != null && adminToken.length() < 22) {
            // 22 base64 characters = 128 bits; a short bootstrap token would be the weakest credential.
            throw new IllegalArgumentException("admin token must have at least 22 characters (128 bits)");
        }
    }

    public static ServerConfig defaults() {
        return new ServerConfig("127.0.0.1", 8470, Path.of("data"), null, "sa", "",
                Duration.ofHours(12), Duration.ofHours(8), Duration.ofDays(28), Duration.ofMinutes(10),
                null, SmtpSettings.none(), Duration.ofMillis(250), null, false);
    }

    /** The store URL in effect: the configured one, or an H2 file database under the data directory. */
    public String effectiveStoreUrl() {
        if (storeUrl != null) return storeUrl;
        // WRITE_DELAY=0: every commit reaches the file before the 2xx, so a kill -9 loses nothing acknowledged.
        // DB_CLOSE_ON_EXIT=FALSE: the server closes its pool itself on shutdown; H2's own hook would close
        // the database under requests still finishing ("Database is already closed" on Ctrl-C).
        // LOCK_TIMEOUT=10000: a writer waits up to 10 s for a row another transaction holds (H2's default
        // is 2 s, too short for a loaded machine), like PostgreSQL, which waits.
        // QUERY_CACHE_SIZE=256: parsed statements kept per connection. H2 keeps 8 by default, fewer than the
        // distinct statements one pooled connection runs (an audit POST alone runs about ten), so each was
        // parsed again on every use (~15-20 µs for the audit row statements).
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("lockbox")
                + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE;LOCK_TIMEOUT=10000;QUERY_CACHE_SIZE=256";
    }

    public ServerConfig withHost(String v) { return new ServerConfig(v, port, dataDir, storeUrl, storeUser, storePassword, requestTtl, maxAccessPeriod, recentWindow, outcomeTimeout, adminToken, smtp, tickInterval, auditChannelPort, auditJournal); }
    public ServerConfig withPort(int v) { return new ServerConfig(host, v, dataDir, storeUrl, storeUser, storePassword, requestTtl, maxAccessPeriod, recentWindow, outcomeTimeout, adminToken, smtp, tickInterval, auditChannelPort, auditJournal); }
    public ServerConfig withDataDir(Path v) { return new ServerConfig(host, port, v, storeUrl, storeUser, storePassword, requestTtl, maxAccessPeriod, recentWindow, outcomeTimeout, adminToken, smtp, tickInterval, auditChannelPort, auditJournal); }
    public ServerConfig withStore(String url, String user, String password) { return new ServerConfig(host, port, dataDir, url, user, password, requestTtl, maxAccessPeriod, recentWindow, outcomeTimeout, adminToken, smtp, tickInterval, auditChannelPort, auditJournal); }
    public ServerConfig withRequestTtl(Duration v) { return new ServerConfig(host, port, dataDir, storeUrl, storeUser, storePassword, v, maxAccessPeriod, recentWindow, outcomeTimeout, adminToken, smtp, tickInterval, auditChannelPort, auditJournal); }
    public ServerConfig withMaxAccessPeriod(Duration v) { return new ServerConfig(host, port, dataDir, storeUrl, storeUser, storePassword, requestTtl, v, recentWindow, outcomeTimeout, adminToken, smtp, tickInterval, auditChannelPort, auditJournal); }
    public ServerConfig withRecentWindow(Duration v) { return new ServerConfig(host, port, dataDir, storeUrl, storeUser, storePassword, requestTtl, maxAccessPeriod, v, outcomeTimeout, adminToken, smtp, tickInterval, auditChannelPort, auditJournal); }
    public ServerConfig withOutcomeTimeout(Duration v) { return new ServerConfig(host, port, dataDir, storeUrl, storeUser, storePassword, requestTtl, maxAccessPeriod, recentWindow, v, adminToken, smtp, tickInterval, auditChannelPort, auditJournal); }
    public ServerConfig withAdminToken(String v) { return new ServerConfig(host, port, dataDir, storeUrl, storeUser, storePassword, requestTtl, maxAccessPeriod, recentWindow, outcomeTimeout, v, smtp, tickInterval, auditChannelPort, auditJournal); }
    public ServerConfig withSmtp(SmtpSettings v) { return new ServerConfig(host, port, dataDir, storeUrl, storeUser, storePassword, requestTtl, maxAccessPeriod, recentWindow, outcomeTimeout, adminToken, v, tickInterval, auditChannelPort, auditJournal); }
    public ServerConfig withAuditChannelPort(Integer v) { return new ServerConfig(host, port, dataDir, storeUrl, storeUser, storePassword, requestTtl, maxAccessPeriod, recentWindow, outcomeTimeout, adminToken, smtp, tickInterval, v, auditJournal); }
    public ServerConfig withAuditJournal(boolean v) { return new ServerConfig(host, port, dataDir, storeUrl, storeUser, storePassword, requestTtl, maxAccessPeriod, recentWindow, outcomeTimeout, adminToken, smtp, tickInterval, auditChannelPort, v); }
    public ServerConfig withTickInterval(Duration v) { return new ServerConfig(host, port, dataDir, storeUrl, storeUser, storePassword, requestTtl, maxAccessPeriod, recentWindow, outcomeTimeout, adminToken, smtp, v, auditChannelPort, auditJournal); }

    @Override
    public String toString() {
        // A PostgreSQL URL may carry ?password=...: it must never reach a log line.
        String store = effectiveStoreUrl().replaceAll("(?i)(password=)[^&;]*", "$1***");
        return "ServerConfig[host=" + host + ", port=" + port + ", auditChannelPort=" + (auditChannelPort == null ? "off" : auditChannelPort)
                + ", auditJournal=" + (auditJournal ? "on" : "off")
                + ", dataDir=" + dataDir + ", store=" + store + ", storeUser=" + storeUser
                + ", requestTtl=" + requestTtl + ", maxAccessPeriod=" + maxAccessPeriod + ", recentWindow=" + recentWindow
                + ", outcomeTimeout=" + outcomeTimeout + ", smtp=" + smtp + ", adminToken=" + (adminToken == null ? "generated" : "***") + "]";
    }

    private static void requirePositive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive: " + d);
    }

    /**
     * SMTP delivery. {@code retryInitial} doubles after each failed attempt up to {@code retryMax}.
     */
    public record SmtpSettings(String host, int port, String from, String user, String password,
                               Duration retryInitial, Duration retryMax) {
        public SmtpSettings {
            Objects.requireNonNull(from, "from");
            requirePositive("retryInitial", retryInitial);
            requirePositive("retryMax", retryMax);
        }

        public static SmtpSettings none() {
            return new SmtpSettings(null, 25, "lockbox@localhost", null, null, Duration.ofSeconds(1), Duration.ofMinutes(5));
        }

        public static SmtpSettings of(String host, int port, String from) {
            return new SmtpSettings(host, port, from, null, null, Duration.ofSeconds(1), Duration.ofMinutes(5));
        }

        public SmtpSettings withLogin(String u, String p) { return new SmtpSettings(host, port, from, u, p, retryInitial, retryMax); }
        public SmtpSettings withRetry(Duration initial, Duration max) { return new SmtpSettings(host, port, from, user, password, initial, max); }

        public boolean enabled() {
            return host != null && !host.isBlank();
        }

        @Override
        public String toString() {
            return enabled() ? "smtp://" + (user == null ? "" : user + ":***@") + host + ":" + port + " from " + from : "disabled";
        }
    }
}

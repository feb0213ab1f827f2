package dev.lockbox.driver;

import dev.lockbox.driver.audit.AuditSinks;
import dev.lockbox.driver.classify.StatementClassifier;
import dev.lockbox.driver.config.DriverConfig;
import dev.lockbox.driver.config.DriverProperty;
import dev.lockbox.driver.grant.GrantWatches;
import dev.lockbox.driver.jdbc.ConnectionProxy;
import dev.lockbox.driver.server.HttpLockboxServerClient;
import dev.lockbox.driver.server.LockboxServerClient;
import dev.lockbox.driver.session.LockboxSession;
import dev.lockbox.driver.session.SessionOpener;
import java.net.URI;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The {@code jdbc:lockbox://HOST:PORT/ENVIRONMENT} driver (docs/driver.md). The instance registered
 * with {@link DriverManager} owns the JVM's audit sinks, grant watches and classifier cache.
 */
public final class LockboxDriver implements Driver {
    public static final String VERSION = versionFromManifest();
    private static final int CLASSIFIER_CACHE = 10_000;
    private static final LockboxDriver REGISTERED = new LockboxDriver();

    static {
        try {
            DriverManager.registerDriver(REGISTERED);
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final SessionOpener opener;

    /** The instance registered with DriverManager (shared sinks and watches of the JVM). */
    public static LockboxDriver registered() {
        return REGISTERED;
    }

    /** The driver as DriverManager and the service loader create it: talks HTTP to the approval server. */
    public LockboxDriver() {
        this(new HttpClients(), Clock.systemUTC());
    }

    /**
     * A driver with its own audit sinks and grant watches, reaching the server through {@code clients}
     * (tests plug an in-memory server in here) and telling time with {@code clock}.
     */
    public LockboxDriver(Function<DriverConfig, LockboxServerClient> clients, Clock clock) {
        this.opener = new SessionOpener(clients, new AuditSinks(), new GrantWatches(clock),
                new StatementClassifier(CLASSIFIER_CACHE), clock, VERSION);
    }

    /** Returns null for URLs of other drivers, as JDBC requires (DriverManager then asks the next one). */
    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) {
            return null;
        }
        DriverConfig config = DriverConfig.parse(url, info);
        LockboxSession session = opener.open(config);
        return ConnectionProxy.wrap(session);
    }

    @Override
    public boolean acceptsURL(String url) {
        return DriverConfig.accepts(url);
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
        Properties given = new Properties();
        if (info != null) {
            given.putAll(info);
        }
        if (url != null) {
            int q = url.indexOf('?');
            if (q >= 0) {
                for (String pair : url.substring(q + 1).split("&")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0) {
                        given.setProperty(pair.substring(0, eq), pair.substring(eq + 1));
                    }
                }
            }
        }
        DriverProperty[] all = DriverProperty.values();
        DriverPropertyInfo[] out = new DriverPropertyInfo[all.length];
        for (int i = 0; i < all.length; i++) {
            String v = all[i] == DriverProperty.PASSWORD ? null : given.getProperty(all[i].key());
            out[i] = all[i].info(v);
        }
        return out;
    }

    @Override
    public int getMajorVersion() {
        return 0;
    }

    @Override
    public int getMinorVersion() {
        return 1;
    }

    /** Not a full SQL-92 driver by itself: compliance is the target database's. */
    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() {
        return Logger.getLogger("dev.lockbox.driver");
    }

    private static String versionFromManifest() {
        String v = LockboxDriver.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0-SNAPSHOT";
    }

    /** One HTTP client per (server, credentials, timeout), shared by its connections, sinks and watches. */
    private static final class HttpClients implements Function<DriverConfig, LockboxServerClient> {
        private record Key(URI server, String token, long timeoutMs) {}

        private final ConcurrentHashMap<Key, LockboxServerClient> clients = new ConcurrentHashMap<>();

        @Override
        public LockboxServerClient apply(DriverConfig c) {
            Key key = new Key(c.serverUri(), c.token(), c.connectTimeoutMs());
            return clients.computeIfAbsent(key, k -> new HttpLockboxServerClient(k.server(), k.token(),
                    Duration.ofMillis(k.timeoutMs())));
        }
    }
}

package dev.lockbox.driver.session;

import dev.lockbox.api.grant.ActiveGrant;
import dev.lockbox.api.grant.SessionGrant;
import dev.lockbox.api.grant.SessionOpen;
import dev.lockbox.api.grant.TargetConnection;
import dev.lockbox.driver.SqlState;
import dev.lockbox.driver.audit.AuditSink;
import dev.lockbox.driver.audit.AuditSinks;
import dev.lockbox.driver.classify.StatementClassifier;
import dev.lockbox.driver.config.DriverConfig;
import dev.lockbox.driver.grant.GrantWatches;
import dev.lockbox.driver.server.LockboxServerClient;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.UUID;
import java.util.function.Function;

/**
 * Connect: ask the server for the caller's active grant and target connection, check the answer,
 * open the raw connection, join the shared audit sink and grant watch. Any doubt refuses (fail-closed).
 */
public final class SessionOpener {
    private final Function<DriverConfig, LockboxServerClient> clients;
    private final AuditSinks sinks;
    private final GrantWatches watches;
    private final StatementClassifier classifier;
    private final Clock clock;
    private final String driverVersion;

    public SessionOpener(Function<DriverConfig, LockboxServerClient> clients, AuditSinks sinks, GrantWatches watches,
                         StatementClassifier classifier, Clock clock, String driverVersion) {
        this.clients = clients;
        this.sinks = sinks;
        this.watches = watches;
        this.classifier = classifier;
        this.clock = clock;
        this.driverVersion = driverVersion;
    }

    public LockboxSession open(DriverConfig config) throws SQLException {
        if (config.user() == null || config.user().isBlank()) {
            throw SqlState.NO_GRANT.exception("No Lockbox user given: the JDBC user is your Lockbox user name");
        }
        if (config.token() == null || config.token().isBlank()) {
            throw SqlState.NO_GRANT.exception("No Lockbox API token given: the JDBC password is your Lockbox API token");
        }
        LockboxServerClient client = clients.apply(config);
        SessionOpen open = new SessionOpen(config.environment(), UUID.randomUUID().toString(), ClientHost.name(),
                config.applicationName(), driverVersion);
        SessionGrant sessionGrant = client.openSession(open);
        try {
            check(config, sessionGrant);
        } catch (SQLException e) {
            closeQuietly(client, sessionGrant.sessionId());
            throw e;
        }
        TargetConnection target = sessionGrant.target();
        Connection raw;
        try {
            raw = TargetDatabase.connect(target.jdbcUrl(), target.user(), target.password());
        } catch (SQLException e) {
            closeQuietly(client, sessionGrant.sessionId());
            throw SqlState.CANNOT_CONNECT.exception("Lockbox granted access to environment '" + config.environment()
                    + "' but the target database could not be opened: " + e.getMessage(), e);
        }
        String database = config.environment();
        try {
            String catalog = raw.getCatalog();
            if (catalog != null) {
                database = catalog;
            }
        } catch (SQLException e) {
            // the environment name identifies the database well enough
        }
        AuditSink sink = sinks.acquire(config, client);
        try {
            return new LockboxSession(config, sessionGrant, client, raw, sink, watches, classifier, database, clock);
        } catch (RuntimeException e) {
            sink.release();
            try {
                raw.close();
            } catch (SQLException ignored) {
                // the failure below is what matters
            }
            closeQuietly(client, sessionGrant.sessionId());
            throw e;
        }
    }

    /** The server is trusted with the grant, not with nonsense: check the answer before using it. */
    private void check(DriverConfig config, SessionGrant sg) throws SQLException {
        ActiveGrant g = sg.grant();
        TargetConnection t = sg.target();
        String problem = null;
        if (g.requestId() == null || g.requestId().isBlank()) {
            problem = "a grant without a request id";
        } else if (!config.environment().equals(g.environment())) {
            problem = "a grant for another environment ('" + g.environment() + "')";
        } else if (g.accessLevel() == null) {
            problem = "a grant without an access level";
        } else if (g.accessExpiresAt() == null) {
            problem = "a grant without an end (accessExpiresAt)";
        } else if (t.jdbcUrl() == null || t.jdbcUrl().isBlank()) {
            problem = "no target database URL";
        } else if (TargetDatabase.isLockboxUrl(t.jdbcUrl())) {
            problem = "a target URL that is itself a Lockbox URL";
        }
        if (problem != null) {
            throw SqlState.CANNOT_CONNECT.exception("The Lockbox approval server answered with " + problem
                    + "; refusing (fail-closed)");
        }
        if (!clock.instant().isBefore(g.accessExpiresAt())) {
            throw SqlState.NO_GRANT.exception("Your Lockbox access to environment '" + config.environment()
                    + "' ended at " + g.accessExpiresAt() + " (grant " + g.requestId()
                    + "); file a new access request to continue");
        }
    }

    private static void closeQuietly(LockboxServerClient client, String sessionId) {
        try {
            client.closeSession(sessionId);
        } catch (SQLException | RuntimeException e) {
            // best effort; the connection is refused either way
        }
    }
}

package dev.lockbox.driver.session;

import dev.lockbox.api.grant.ActiveGrant;
import dev.lockbox.api.grant.SessionGrant;
import dev.lockbox.driver.LockboxConnection;
import dev.lockbox.driver.SqlState;
import dev.lockbox.driver.audit.AuditSink;
import dev.lockbox.driver.classify.Classification;
import dev.lockbox.driver.classify.StatementClassifier;
import dev.lockbox.driver.config.DriverConfig;
import dev.lockbox.driver.grant.GrantWatch;
import dev.lockbox.driver.grant.GrantWatches;
import dev.lockbox.driver.server.LockboxServerClient;
import dev.lockbox.driver.statement.AuditBefore;
import dev.lockbox.driver.statement.Authorize;
import dev.lockbox.driver.statement.Classify;
import dev.lockbox.driver.statement.GrantCheck;
import dev.lockbox.driver.statement.RecordOutcome;
import dev.lockbox.driver.statement.StatementEvents;
import dev.lockbox.driver.statement.StatementPipeline;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One Lockbox connection's state: the grant, the raw target connection, the audit sink, the grant
 * watch and the statement chains. The JDBC wrappers hold a session and ask it before every call.
 * Ends when the caller closes it or when the grant ends (the raw connection is then closed by the
 * grant watch's thread, so open result sets stop too).
 */
public final class LockboxSession implements GrantWatch.Listener {
    private final DriverConfig config;
    private final SessionGrant sessionGrant;
    private final LockboxServerClient client;
    private final Connection raw;
    private final AuditSink sink;
    private final GrantWatch watch;
    private final Classify classify;
    private final StatementPipeline execution;
    private final StatementPipeline admission;
    private final AtomicBoolean released = new AtomicBoolean();
    private volatile boolean closed;
    private volatile String endedReason;
    private volatile LockboxConnection connection;

    LockboxSession(DriverConfig config, SessionGrant sessionGrant, LockboxServerClient client, Connection raw,
                   AuditSink sink, GrantWatches watches, StatementClassifier classifier, String database, Clock clock) {
        this.config = config;
        this.sessionGrant = sessionGrant;
        this.client = client;
        this.raw = raw;
        this.sink = sink;
        ActiveGrant grant = sessionGrant.grant();
        StatementEvents events = new StatementEvents(grant.requestId(), database, sessionGrant.target().user(),
                sessionGrant.sessionId(), ClientHost.name(), config.applicationName(), clock);
        this.classify = new Classify(classifier, raw);
        this.watch = watches.watch(config, client, grant, this);
        GrantCheck grantCheck = new GrantCheck(watch, config.grantConfirmTimeoutMs());
        Authorize authorize = new Authorize(grant, sink, events);
        // classify -> authorize -> audit before -> execute -> record outcome (DESIGN.md, "Driver")
        this.execution = new StatementPipeline(List.of(grantCheck, classify, authorize,
                new AuditBefore(sink, events), new RecordOutcome(sink)));
        // Adding to a batch runs nothing: it is checked now (an early, audited refusal) and audited at executeBatch.
        this.admission = new StatementPipeline(List.of(grantCheck, classify, authorize));
    }

    public void attach(LockboxConnection proxy) {
        this.connection = proxy;
    }

    public LockboxConnection connection() {
        return connection;
    }

    public Connection raw() {
        return raw;
    }

    public DriverConfig config() {
        return config;
    }

    public ActiveGrant grant() {
        return sessionGrant.grant();
    }

    public String sessionId() {
        return sessionGrant.sessionId();
    }

    public String endedReason() {
        return endedReason;
    }

    /** Events of this session's audit sink not yet acknowledged by the server. */
    public int auditBacklog() {
        return sink.unacknowledged();
    }

    public StatementPipeline execution() {
        return execution;
    }

    public StatementPipeline admission() {
        return admission;
    }

    /** Classifies a prepared statement's text once, at prepare time. */
    public Classification classify(String sql) throws SQLException {
        return classify.classify(sql);
    }

    /** Every wrapper call except close/isClosed/isValid/abort starts here. */
    public void ensureUsable() throws SQLException {
        String ended = endedReason;
        if (ended != null) {
            throw SqlState.NO_GRANT.exception(ended);
        }
        if (closed) {
            throw SqlState.CONNECTION_CLOSED.exception("This Lockbox connection is closed");
        }
    }

    public boolean isClosed() {
        return closed || endedReason != null;
    }

    public boolean isValid(int timeoutSeconds) throws SQLException {
        if (isClosed()) {
            return false;
        }
        try {
            watch.check(config.grantConfirmTimeoutMs());
        } catch (SQLException e) {
            return false;
        }
        return raw.isValid(timeoutSeconds);
    }

    @Override
    public void grantEnded(String reason) {
        endedReason = reason;
        closeRawQuietly();
        // The server ends the grant's sessions itself; the DELETE still records our side promptly.
        CompletableFuture.runAsync(this::release);
    }

    public void close() throws SQLException {
        closed = true;
        SQLException failure = null;
        try {
            if (!raw.isClosed()) {
                raw.close();
            }
        } catch (SQLException e) {
            failure = e;
        }
        SQLException auditLost = release();
        if (failure != null) {
            if (auditLost != null) {
                failure.setNextException(auditLost);
            }
            throw failure;
        }
        if (auditLost != null) {
            throw auditLost;
        }
    }

    public void abort(Executor executor) throws SQLException {
        if (executor == null) {
            throw new SQLException("abort needs an executor", "HY009");
        }
        closed = true;
        raw.abort(executor);
        executor.execute(this::release);
    }

    private void closeRawQuietly() {
        try {
            raw.close();
        } catch (SQLException | RuntimeException e) {
            // already broken: nothing else to do, statements are refused by endedReason anyway
        }
    }

    /** Null, or (the JVM's last connection with these audit settings) why async audit events were lost. */
    private SQLException release() {
        if (!released.compareAndSet(false, true)) {
            return null;
        }
        if (watch != null) { // null only if the grant ended while this session was being built
            watch.remove(this);
        }
        sink.requestFlush();
        SQLException auditLost = sink.release();
        try {
            client.closeSession(sessionGrant.sessionId());
        } catch (SQLException | RuntimeException e) {
            // best effort: the server also ends sessions when the grant ends
        }
        return auditLost;
    }
}

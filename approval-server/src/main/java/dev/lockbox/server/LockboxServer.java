package dev.lockbox.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockbox.api.admin.Role;
import dev.lockbox.server.audit.AuditIntakeJournal;
import dev.lockbox.server.audit.AuditLog;
import dev.lockbox.server.audit.AuditChannelServer;
import dev.lockbox.server.audit.AuditPostHandler;
import dev.lockbox.server.audit.GrantDirectory;
import dev.lockbox.server.audit.JdbcAuditLog;
import dev.lockbox.server.environment.EnvironmentApi;
import dev.lockbox.server.broker.CredentialBroker;
import dev.lockbox.server.broker.ReconcileReport;
import dev.lockbox.server.environment.EnvironmentStore;
import dev.lockbox.server.export.AuditChainHeads;
import dev.lockbox.server.export.ExportApi;
import dev.lockbox.server.export.ExportConfigStore;
import dev.lockbox.server.export.ExportJob;
import dev.lockbox.server.export.ExportLease;
import dev.lockbox.server.export.LakeDestination;
import dev.lockbox.server.environment.EnvironmentTargets;
import dev.lockbox.server.grant.BrokerHistory;
import dev.lockbox.server.grant.CachedGrantHandler;
import dev.lockbox.server.grant.GrantApi;
import dev.lockbox.server.grant.GrantCredentials;
import dev.lockbox.server.grant.GrantLifecycleListener;
import dev.lockbox.server.grant.GrantLookup;
import dev.lockbox.server.grant.RequestGrantDirectory;
import dev.lockbox.server.http.ApiRoutes;
import dev.lockbox.server.http.AuditApi;
import dev.lockbox.server.http.Authenticator;
import dev.lockbox.server.http.JsonBody;
import dev.lockbox.server.mail.Notifications;
import dev.lockbox.server.mail.Outbox;
import dev.lockbox.server.mail.OutboxSender;
import dev.lockbox.server.policy.PolicyApi;
import dev.lockbox.server.policy.PolicyStore;
import dev.lockbox.server.request.RequestApi;
import dev.lockbox.server.request.RequestStore;
import dev.lockbox.server.request.RequestWorkflow;
import dev.lockbox.server.scheduler.LifecycleScheduler;
import dev.lockbox.server.session.SessionApi;
import dev.lockbox.server.session.SessionStore;
import dev.lockbox.server.store.Store;
import dev.lockbox.server.user.Account;
import dev.lockbox.server.user.ApiToken;
import dev.lockbox.server.user.UserApi;
import dev.lockbox.server.user.UserStore;
import dev.lockbox.exporter.export.ExportReport;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.Optional;
import javax.sql.DataSource;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running approval server: the programmatic entry point used by {@link ServerCommand}, tests and
 * other modules. {@link #start(ServerConfig, Clock)} returns once the store is migrated and the
 * port is listening; {@link #close()} stops everything and releases the store.
 */
public final class LockboxServer implements AutoCloseable {
    /** The bootstrap administrator's user name. */
    public static final String ADMIN_USER = "admin";
    private static final Logger LOG = LoggerFactory.getLogger(LockboxServer.class);

    private final ServerConfig config;
    private final Store store;
    private final Javalin app;
    private final LifecycleScheduler scheduler;
    private final OutboxSender sender;
    private final Outbox outbox;
    private final GrantCredentials credentials;
    private final String generatedAdminToken;
    private final ExportJob exportJob;
    private final CachedGrantHandler cachedGrants;
    private final AuditPostHandler auditPosts;
    /** Null unless the configuration asks for it. */
    private final AuditChannelServer auditChannel;
    /** Null unless the configuration asks for it. */
    private final AuditIntakeJournal journal;

    private LockboxServer(ServerConfig config, Store store, Javalin app, LifecycleScheduler scheduler, OutboxSender sender,
                          Outbox outbox, GrantCredentials credentials, String generatedAdminToken, ExportJob exportJob,
                          CachedGrantHandler cachedGrants, AuditPostHandler auditPosts, AuditChannelServer auditChannel,
                          AuditIntakeJournal journal) {
        this.config = config;
        this.store = store;
        this.app = app;
        this.scheduler = scheduler;
        this.sender = sender;
        this.outbox = outbox;
        this.credentials = credentials;
        this.generatedAdminToken = generatedAdminToken;
        this.exportJob = exportJob;
        this.cachedGrants = cachedGrants;
        this.auditPosts = auditPosts;
        this.auditChannel = auditChannel;
        this.journal = journal;
    }

    /** How the server builds its audit log; production uses {@link JdbcAuditLog}. */
    @FunctionalInterface
    public interface AuditLogFactory {
        AuditLog create(DataSource ds, Clock clock, GrantDirectory grants, Duration outcomeTimeout);
    }

    public static LockboxServer start(ServerConfig config, Clock clock) {
        return start(config, clock, JdbcAuditLog::new, GrantLifecycleListener.NONE);
    }

    public static LockboxServer start(ServerConfig config, Clock clock, AuditLogFactory auditLogs, GrantLifecycleListener listener) {
        if (config.storeUrl() == null) {
            try {
                Files.createDirectories(config.dataDir());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create data directory " + config.dataDir(), e);
            }
        }
        Store store = Store.open(config.effectiveStoreUrl(), config.storeUser(), config.storePassword());
        try {
            return wire(config, clock, store, auditLogs, listener);
        } catch (RuntimeException | Error e) {
            store.close();
            throw e;
        }
    }

    private static LockboxServer wire(ServerConfig config, Clock clock, Store store, AuditLogFactory auditLogs, GrantLifecycleListener listener) {
        ObjectMapper mapper = JsonBody.strictMapper();
        JsonBody json = new JsonBody(mapper);
        UserStore users = new UserStore(store);
        EnvironmentStore environments = new EnvironmentStore(store);
        PolicyStore policies = new PolicyStore(store);
        RequestStore requests = new RequestStore(store);
        SessionStore sessions = new SessionStore();
        Outbox outbox = new Outbox(store);
        Notifications notifications = new Notifications(outbox, users);
        GrantLookup lookup = new GrantLookup(store, environments, requests, grant -> {
            try {
                return mapper.writeValueAsBytes(grant);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot encode grant " + grant.requestId(), e);
            }
        });
        AuditLog created = auditLogs.create(store.dataSource(), clock,
                new RequestGrantDirectory(requests, environments, lookup::generation), config.outcomeTimeout());
        AuditIntakeJournal journal = openJournal(config, created);
        AuditLog auditLog = journal == null ? created : journal;
        try {
            BrokerHistory brokerHistory = new BrokerHistory(store, requests);
            GrantCredentials credentials = new GrantCredentials(requests, environments,
                    new CredentialBroker(store.dataSource(), new EnvironmentTargets(environments), clock, brokerHistory), brokerHistory, clock);
            RequestWorkflow workflow = new RequestWorkflow(store, clock, config.requestTtl(), config.maxAccessPeriod(), requests,
                    environments, policies, sessions, notifications, auditLog,
                    lookup.invalidating(GrantLifecycleListener.both(credentials, listener)));

            String generated = bootstrapAdmin(config, clock, store, users);
            ExportConfigStore exportConfigs = new ExportConfigStore(store);
            AuditChainHeads chainHeads = new AuditChainHeads(store);
            ExportJob exportJob = new ExportJob(exportConfigs, new ExportLease(store), chainHeads, auditLog, policies, clock);

            Authenticator authenticator = new Authenticator(users);
            CachedGrantHandler cachedGrants = new CachedGrantHandler(authenticator, lookup, clock);
            AuditPostHandler auditPosts = new AuditPostHandler(authenticator, auditLog, mapper);
            cachedGrants.setHandler(auditPosts);
            AuditChannelServer auditChannel = startAuditChannel(config, authenticator, auditLog, mapper);
            Integer auditChannelPort = auditChannel == null ? null : auditChannel.port();
            ApiRoutes routes = new ApiRoutes(
                    authenticator,
                    new UserApi(store, users, json, clock),
                    new EnvironmentApi(store, environments, policies, users, requests, json, clock),
                    new PolicyApi(store, policies, environments, json, clock),
                    new RequestApi(workflow, requests, environments, json, clock, config.recentWindow()),
                    new GrantApi(lookup, requests, clock),
                    new SessionApi(store, sessions, lookup, credentials, environments, requests, auditLog, json, clock,
                            auditChannelPort),
                    new AuditApi(auditLog, requests, environments, json),
                    new ExportApi(store, exportConfigs, chainHeads, environments, policies, new LakeDestination(config.dataDir()),
                            exportJob, json, clock));
            Javalin app = Javalin.create(cfg -> {
                cfg.startup.showJavalinBanner = false;
                cfg.startup.showOldJavalinVersionWarning = false;
                cfg.http.maxRequestSize = JsonBody.MAX_BODY;
                // Javalin copies every response through a new buffer of this size (default: Jetty's 32 KiB
                // output buffer, allocated per request); API answers are mostly well under 1 KiB.
                cfg.http.responseBufferSize = 4096;
                // Jetty's default allows 250 threads; on a 2-core host they only time-slice against each
                // other. 32 leaves room for calls that wait on store locks (audit ingest) without that.
                QueuedThreadPool threads = new QueuedThreadPool(Math.max(32, 8 * Runtime.getRuntime().availableProcessors()), 4);
                threads.setName("lockbox-http");
                cfg.jetty.threadPool = threads;
                cfg.jsonMapper(new JavalinJackson(mapper, false));
                // In front of Javalin (which attaches its servlet context inside the innermost wrapper):
                // the grant lookups answered from the caches alone, then (on a thread of the pool) the
                // audit POSTs of cached callers; everything else passes through to Javalin.
                // The server's handlers are fixed once started: otherwise Jetty treats every handler
                // as blocking and hands each request to another thread (CachedGrantHandler).
                cfg.jetty.modifyServer(server -> {
                    server.setDynamic(false);
                    server.setHandler(cachedGrants);
                });
                routes.install(cfg);
            });
            try {
                app.start(config.host(), config.port());
            } catch (RuntimeException e) {
                if (auditChannel != null) auditChannel.close();
                credentials.close();
                throw e;
            }

            LifecycleScheduler scheduler = new LifecycleScheduler(clock, workflow, auditLog);
            scheduler.start(config.tickInterval());
            OutboxSender sender = new OutboxSender(outbox, config.smtp());
            sender.start();
            exportJob.start();
            credentials.start(GrantCredentials.RECONCILE_INTERVAL);
            LOG.info("Lockbox server listening on http://{}:{}{} ({})", config.host(), app.port(),
                    auditChannel == null ? "" : ", audit channel on port " + auditChannel.port(), config);
            return new LockboxServer(config, store, app, scheduler, sender, outbox, credentials, generated, exportJob, cachedGrants,
                    auditPosts, auditChannel, journal);
        } catch (RuntimeException | Error e) {
            if (journal != null) journal.close();
            throw e;
        }
    }

    private static AuditIntakeJournal openJournal(ServerConfig config, AuditLog created) {
        if (!config.auditJournal()) return null;
        if (!(created instanceof JdbcAuditLog store)) {
            throw new IllegalArgumentException("the audit journal needs the store's audit log, not " + created.getClass().getName());
        }
        return AuditIntakeJournal.open(store, config.dataDir().resolve("audit-journal"), AuditIntakeJournal.Settings.defaults());
    }

    private static AuditChannelServer startAuditChannel(ServerConfig config, Authenticator authenticator, AuditLog auditLog,
                                                        ObjectMapper mapper) {
        if (config.auditChannelPort() == null) return null;
        try {
            return AuditChannelServer.start(config.host(), config.auditChannelPort(), authenticator, auditLog, mapper);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /**
     * Makes sure user {@code admin} exists. A configured token becomes its token; otherwise a
     * token is generated the first time (empty store) and printed once, never stored in clear.
     */
    private static String bootstrapAdmin(ServerConfig config, Clock clock, Store store, UserStore users) {
        var now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        String token = config.adminToken() != null ? config.adminToken() : ApiToken.generate();
        Store.SqlWork<Boolean> bootstrap = c -> {
            if (users.find(c, ADMIN_USER).isPresent()) {
                if (config.adminToken() != null) users.replaceToken(c, ADMIN_USER, ApiToken.hash(token), now);
                return false;
            }
            users.insert(c, new Account(ADMIN_USER, EnumSet.of(Role.ADMIN), null, false, now), ApiToken.hash(token), null);
            return config.adminToken() == null;
        };
        boolean generatedNow;
        try {
            generatedNow = store.inTransaction(bootstrap);
        } catch (Store.StoreException e) {
            // Replicas starting together on an empty shared store: the one that lost the race to
            // insert admin sees the winner's row on a second try (and prints no token).
            generatedNow = store.inTransaction(bootstrap);
        }
        users.changed();
        if (!generatedNow) return null;
        System.out.println("Lockbox bootstrap admin token (shown once, store it now): " + token);
        return token;
    }

    public int port() {
        return app.port();
    }

    public String baseUrl() {
        return "http://" + (config.host().contains(":") ? "[" + config.host() + "]" : config.host()) + ":" + port();
    }

    /** The admin token generated on this start (first start without a configured token), else null. */
    public String generatedAdminToken() {
        return generatedAdminToken;
    }

    /** Runs one scheduler pass now (tests move their clock, then call this instead of sleeping). */
    public LifecycleScheduler.Tick tick() {
        return scheduler.tick();
    }

    /** Runs one export pass now (tests call this instead of waiting for the export interval). */
    public Optional<ExportReport> exportNow() {
        return exportJob.runPass();
    }

    /** Runs one credential-broker reconciliation now (the server also does at start and every minute). */
    public ReconcileReport reconcileCredentials() {
        return credentials.reconcile();
    }

    /** Grant lookups answered from the caches without Javalin so far ({@link CachedGrantHandler}). */
    public long grantLookupsFromCache() {
        return cachedGrants.served();
    }

    /** Audit POSTs answered in front of Javalin so far ({@link AuditPostHandler}). */
    public long auditPostsInFront() {
        return auditPosts.served();
    }

    /** The audit channel's port, or null when the server runs none ({@link ServerConfig#auditChannelPort()}). */
    public Integer auditChannelPort() {
        return auditChannel == null ? null : auditChannel.port();
    }

    /** Audit batches answered on the audit channel so far (0 without one). */
    public long auditChannelBatches() {
        return auditChannel == null ? 0 : auditChannel.batches();
    }

    /** Mails not yet delivered. */
    public int pendingMails() {
        return outbox.pending();
    }

    public DataSource dataSource() {
        return store.dataSource();
    }

    public ServerConfig config() {
        return config;
    }

    @Override
    public void close() {
        try {
            if (auditChannel != null) auditChannel.close();
            app.stop();
        } finally {
            scheduler.close();
            sender.close();
            exportJob.close(); // commits open lake files while the store is still open
            if (journal != null) journal.close(); // writes what it acknowledged while the store is still open
            credentials.close();
            store.close();
        }
    }
}

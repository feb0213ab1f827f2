package dev.lockbox.server.testing;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.lockbox.api.admin.EnvironmentSpec;
import dev.lockbox.api.admin.IssuedToken;
import dev.lockbox.api.admin.LockboxPolicy;
import dev.lockbox.api.admin.NewUser;
import dev.lockbox.api.admin.PolicyMode;
import dev.lockbox.api.admin.Role;
import dev.lockbox.api.request.AccessLevel;
import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.api.request.NewAccessRequest;
import dev.lockbox.server.LockboxServer;
import dev.lockbox.server.ServerConfig;
import dev.lockbox.server.audit.GrantDirectory;
import dev.lockbox.server.audit.JdbcAuditLog;
import dev.lockbox.server.grant.GrantLifecycleListener;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A real server on loopback (port 0, H2 file store in a temp dir, or PostgreSQL: {@link TestStore}) with a movable clock, an admin
 * token, and a small cast: approver {@code alice}, engineers {@code bob} and {@code carol},
 * auditor {@code dave}; environment {@code prod-db} approved by alice, protected by policy ALL.
 */
public final class TestServer implements AutoCloseable {
    public static final String ADMIN_TOKEN = "test-admin-token-0123456789abcdef";
    public static final Instant T0 = Instant.parse("2026-11-29T05:00:00Z");
    public static final String ENV = "prod-db";

    public final MutableClock clock = new MutableClock(T0);
    public final RecordingAuditLog audit = new RecordingAuditLog();
    public final Map<String, String> tokens = new ConcurrentHashMap<>();
    public final ServerConfig config;
    /** Where {@link #config} keeps its data: H2 under the data directory, or a PostgreSQL database of its own. */
    public final TestStore store;
    public LockboxServer server;
    public ApiClient api;
    /** The grant directory the server hands its audit log (unless {@link #withJdbcAuditLog}, the log is {@link #audit}, which ignores it). */
    public GrantDirectory grants;
    private final boolean jdbcAuditLog;

    public TestServer(Path dataDir) {
        this(ServerConfig.defaults().withPort(0).withDataDir(dataDir).withAdminToken(ADMIN_TOKEN)
                .withTickInterval(Duration.ofHours(1))); // tests tick by hand after moving the clock
    }

    public TestServer(ServerConfig config) {
        this(TestStore.forRun(config));
    }

    /** A server on {@code store}, which this server drops when it is closed. */
    public TestServer(TestStore store) {
        this(store, false);
    }

    /**
     * A server whose audit log is the real {@code JdbcAuditLog} on its store, for tests of the audit
     * routes over HTTP ({@link #audit} then records nothing).
     */
    public static TestServer withJdbcAuditLog(Path dataDir) {
        return withJdbcAuditLog(dataDir, false);
    }

    /** As {@link #withJdbcAuditLog(Path)}, also running the audit channel (on any free port) when asked. */
    public static TestServer withJdbcAuditLog(Path dataDir, boolean auditChannel) {
        ServerConfig config = ServerConfig.defaults().withPort(0).withDataDir(dataDir).withAdminToken(ADMIN_TOKEN)
                .withTickInterval(Duration.ofHours(1)).withAuditChannelPort(auditChannel ? 0 : null);
        return new TestServer(TestStore.forRun(config), true);
    }

    private TestServer(TestStore store, boolean jdbcAuditLog) {
        this.jdbcAuditLog = jdbcAuditLog;
        this.store = store;
        this.config = store.config();
        try {
            start();
        } catch (RuntimeException | Error e) {
            store.close();
            throw e;
        }
    }

    public void start() {
        server = LockboxServer.start(config, clock, (ds, c, g, t) -> {
            grants = g;
            return jdbcAuditLog ? new JdbcAuditLog(ds, c, g, t) : audit;
        }, GrantLifecycleListener.NONE);
        api = new ApiClient(server.baseUrl());
        tokens.put("admin", ADMIN_TOKEN);
    }

    public void restart() {
        server.close();
        start();
    }

    /** A second server on this one's store (as a replica behind a load balancer), knowing the same tokens; close it first. */
    public TestServer replica(Path dataDir) {
        TestServer b = new TestServer(config.withDataDir(dataDir).withStore(config.effectiveStoreUrl(), config.storeUser(), config.storePassword()));
        b.tokens.putAll(tokens);
        return b;
    }

    /** The standard cast and environment of the class comment. */
    public TestServer withCast() {
        user("alice", List.of(Role.APPROVER), "alice@example.com");
        user("bob", List.of(Role.ENGINEER), "bob@example.com");
        user("carol", List.of(Role.ENGINEER), "carol@example.com");
        user("dave", List.of(Role.AUDITOR), null);
        environment(ENV, List.of("alice"));
        return this;
    }

    public String user(String name, List<Role> roles, String email) {
        IssuedToken t = api.post(ADMIN_TOKEN, "/api/users", new NewUser(name, roles, email, null)).expect(201).as(IssuedToken.class);
        tokens.put(name, t.token());
        return t.token();
    }

    public void environment(String name, List<String> approvers) {
        api.post(ADMIN_TOKEN, "/api/environments", new EnvironmentSpec(name, "Env " + name, "jdbc:h2:mem:" + name,
                approvers, null, "eng_" + name.replace('-', '_'), "s3cret-" + name)).expect(201);
    }

    public void policy(PolicyMode mode, List<String> envs) {
        api.put(ADMIN_TOKEN, "/api/policy", new LockboxPolicy(mode, envs)).expect(200);
    }

    public String token(String user) {
        return tokens.get(user);
    }

    public AccessRequest request(String engineer, String env) {
        return api.post(token(engineer), "/api/requests", new NewAccessRequest(env, "TICKET-1", "investigate incident",
                AccessLevel.READ_ONLY, Duration.ofHours(4), null)).expect(201).as(AccessRequest.class);
    }

    public AccessRequest decide(String user, String id, String action) {
        return api.post(token(user), "/api/requests/" + id + "/" + action, Map.of("comment", "ok")).expect(200).as(AccessRequest.class);
    }

    public AccessRequest get(String id) {
        return api.get(ADMIN_TOKEN, "/api/requests/" + id).expect(200).as(AccessRequest.class);
    }

    public List<AccessRequest> list(String user, String query) {
        return api.get(token(user), "/api/requests" + query).expect(200).as(new TypeReference<List<AccessRequest>>() {});
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            store.close();
        }
    }
}

package dev.lockbox.server.export;

import dev.lockbox.api.admin.EnvironmentSpec;
import dev.lockbox.api.admin.IssuedToken;
import dev.lockbox.api.admin.NewUser;
import dev.lockbox.api.admin.Role;
import dev.lockbox.api.audit.ActionClass;
import dev.lockbox.api.audit.AuditAck;
import dev.lockbox.api.audit.AuditBatch;
import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.audit.AuditEventPage;
import dev.lockbox.api.audit.AuditEventSubmission;
import dev.lockbox.api.audit.AuditOutcome;
import dev.lockbox.api.audit.Decision;
import dev.lockbox.api.grant.SessionOpen;
import dev.lockbox.api.request.AccessLevel;
import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.api.request.NewAccessRequest;
import dev.lockbox.server.LockboxServer;
import dev.lockbox.server.ServerConfig;
import dev.lockbox.server.testing.ApiClient;
import dev.lockbox.server.testing.MutableClock;
import dev.lockbox.server.testing.TestStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A real server on loopback with the real {@code JdbcAuditLog} (an H2 file store, or PostgreSQL on
 * the postgres-store run), and the calls
 * that put audit events into it the way the driver does: users, environments, a request approved
 * by alice, {@code POST /api/sessions}, {@code POST /api/audit/events}, {@code DELETE /api/sessions}.
 * Its export thread checks every hour; tests run passes with {@link LockboxServer#exportNow()}.
 */
final class AuditedServer implements AutoCloseable {
    static final String ADMIN_TOKEN = "export-test-admin-token-0123456789";
    static final Instant T0 = Instant.parse("2026-11-29T05:00:00Z");

    final MutableClock clock;
    final ServerConfig config;
    /** The store: H2 under the data directory, or on the postgres-store run a PostgreSQL database of its own. */
    final TestStore store;
    final Map<String, String> tokens = new HashMap<>();
    LockboxServer server;
    ApiClient api;

    AuditedServer(Path dataDir, MutableClock clock) {
        this(ServerConfig.defaults().withPort(0).withDataDir(dataDir).withAdminToken(ADMIN_TOKEN)
                .withTickInterval(Duration.ofHours(1)), clock);
    }

    /** A server on {@code config}'s store if it names one (a replica of another), else on the run's store ({@link TestStore}). */
    AuditedServer(ServerConfig config, MutableClock clock) {
        this.clock = clock;
        this.store = TestStore.forRun(config);
        this.config = store.config();
        try {
            server = LockboxServer.start(this.config, clock);
        } catch (RuntimeException | Error e) {
            store.close();
            throw e;
        }
        api = new ApiClient(server.baseUrl());
        tokens.put("admin", ADMIN_TOKEN);
    }

    /** alice approves, bob engineers, dave audits; environments prod-db and dev-db, approved by alice. */
    AuditedServer withCast() {
        user("alice", List.of(Role.APPROVER));
        user("bob", List.of(Role.ENGINEER));
        user("dave", List.of(Role.AUDITOR));
        environment("prod-db");
        environment("dev-db");
        return this;
    }

    void user(String name, List<Role> roles) {
        IssuedToken t = api.post(ADMIN_TOKEN, "/api/users", new NewUser(name, roles, null, null)).expect(201).as(IssuedToken.class);
        tokens.put(name, t.token());
    }

    void environment(String name) {
        api.post(ADMIN_TOKEN, "/api/environments", new EnvironmentSpec(name, "Env " + name, "jdbc:h2:mem:" + name,
                List.of("alice"), null, "eng_" + name.replace('-', '_'), "s3cret-" + name)).expect(201);
    }

    String token(String user) {
        return tokens.get(user);
    }

    /** bob's request on {@code env}, approved by alice: the grant events are recorded under. */
    String approvedGrant(String env) {
        AccessRequest r = api.post(token("bob"), "/api/requests", new NewAccessRequest(env, "INC-4711", "orders stuck",
                AccessLevel.READ_WRITE, Duration.ofHours(4), null)).expect(201).as(AccessRequest.class);
        api.post(token("alice"), "/api/requests/" + r.id() + "/approve", Map.of("comment", "ok")).expect(200);
        return r.id();
    }

    /**
     * One driver session's worth of events on {@code env} under {@code grant}: CONNECT, the given
     * statements (ALLOWED with their outcome in the same batch, or DENIED when they start with
     * "DROP"), DISCONNECT. Returns the statements sent.
     */
    List<String> session(String env, String grant, List<String> statements) {
        String sid = UUID.randomUUID().toString();
        api.post(token("bob"), "/api/sessions", new SessionOpen(env, sid, "laptop-7", "DBeaver", "0.1.0")).expect(201);
        List<AuditEventSubmission> events = new ArrayList<>();
        List<AuditOutcome> outcomes = new ArrayList<>();
        for (String sql : statements) {
            clock.advance(Duration.ofMillis(1));
            String id = UUID.randomUUID().toString();
            boolean denied = sql.startsWith("DROP");
            String action = sql.substring(0, sql.indexOf(' '));
            events.add(new AuditEventSubmission(id, clock.instant().truncatedTo(ChronoUnit.MICROS).plusNanos(123_000),
                    grant, "orders", "eng", sid, "laptop-7", "DBeaver", action,
                    denied ? ActionClass.DDL : action.equals("SELECT") ? ActionClass.READ : ActionClass.WRITE,
                    List.of("orders"), sql, denied ? null : "[42]", denied ? Decision.DENIED : Decision.ALLOWED,
                    denied ? "DDL is outside a READ_WRITE grant's rights" : null));
            if (!denied) outcomes.add(new AuditOutcome(id, true, 1L, null, 1.5));
        }
        AuditAck ack = api.post(token("bob"), "/api/audit/events", new AuditBatch(env, events, outcomes)).expect(200)
                .as(AuditAck.class);
        if (ack.stored() != statements.size()) throw new AssertionError("stored " + ack + " of " + statements.size());
        api.delete(token("bob"), "/api/sessions/" + sid).expect(204);
        return statements;
    }

    /** Every sealed event of {@code env}, read as the auditor through the HTTP feed. */
    List<AuditEvent> feed(String env) {
        List<AuditEvent> all = new ArrayList<>();
        long after = 0;
        while (true) {
            AuditEventPage page = api.get(token("dave"), "/api/audit/events?environment=" + env + "&afterSequence=" + after
                    + "&limit=1000").expect(200).as(AuditEventPage.class);
            if (page.events().isEmpty()) return all;
            all.addAll(page.events());
            after = page.nextAfterSequence();
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            store.close();
        }
    }

    /** The configuration of a second replica on this server's store, with its own data directory. */
    ServerConfig replicaConfig(Path dataDir) {
        return config.withDataDir(dataDir).withStore(config.effectiveStoreUrl(), config.storeUser(), config.storePassword());
    }
}

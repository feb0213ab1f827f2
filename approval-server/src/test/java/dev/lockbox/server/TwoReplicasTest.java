package dev.lockbox.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
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
import dev.lockbox.api.audit.AuditHashChain;
import dev.lockbox.api.audit.AuditOutcome;
import dev.lockbox.api.audit.Decision;
import dev.lockbox.api.grant.ActiveGrant;
import dev.lockbox.api.grant.GrantRefusal;
import dev.lockbox.api.grant.SessionOpen;
import dev.lockbox.api.request.AccessLevel;
import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.api.request.NewAccessRequest;
import dev.lockbox.api.request.RequestHistoryEntry;
import dev.lockbox.api.request.RequestStatus;
import dev.lockbox.api.export.ExportConfig;
import dev.lockbox.api.export.ExportEnvironmentMode;
import dev.lockbox.api.export.ExportStatus;
import dev.lockbox.exporter.cli.ExporterCommand;
import dev.lockbox.server.ServerConfig.SmtpSettings;
import dev.lockbox.server.audit.JdbcAuditLog;
import dev.lockbox.server.grant.GrantLifecycleListener;
import dev.lockbox.server.testing.ApiClient;
import dev.lockbox.server.testing.MutableClock;
import dev.lockbox.server.testing.TestStore;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Two approval servers (own ports, own schedulers and mail senders running) on one PostgreSQL
 * store, as behind a load balancer: time-driven changes happen once, audit chains stay gap-free
 * when both ingest at once (read back through the API and from the lake both export to, checked
 * by the exporter's {@code verify}), a decision on one is seen by the other at once, each mail goes
 * out once.
 */
class TwoReplicasTest {
    static final String ADMIN = "replica-admin-token-0123456789abcdef";
    static final Instant T0 = Instant.parse("2026-11-29T05:00:00Z");
    static final String ENV = "prod-db";

    @TempDir
    Path dir;

    final MutableClock clock = new MutableClock(T0);
    final Map<String, AtomicInteger> started = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> ended = new ConcurrentHashMap<>();
    final Map<String, String> tokens = new ConcurrentHashMap<>();
    final ExecutorService pool = Executors.newFixedThreadPool(8);
    GreenMail smtp;
    TestStore store;
    LockboxServer a;
    LockboxServer b;
    ApiClient apiA;
    ApiClient apiB;

    @BeforeEach
    void startTwoReplicas() throws Exception {
        int smtpPort = freePort();
        ServerConfig base = ServerConfig.defaults().withPort(0).withDataDir(dir).withAdminToken(ADMIN)
                .withTickInterval(Duration.ofMillis(20)) // each replica's scheduler thread runs all along
                .withSmtp(SmtpSettings.of("127.0.0.1", smtpPort, "lockbox@example.com").withRetry(Duration.ofMillis(100), Duration.ofMillis(500)));
        store = TestStore.postgres(base);
        smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        GrantLifecycleListener listener = new GrantLifecycleListener() {
            @Override
            public void grantStarted(AccessRequest grant) {
                started.computeIfAbsent(grant.id(), k -> new AtomicInteger()).incrementAndGet();
            }

            @Override
            public void grantEnded(AccessRequest grant) {
                ended.computeIfAbsent(grant.id(), k -> new AtomicInteger()).incrementAndGet();
            }
        };
        // Started together on an empty store: both migrate and bootstrap admin at the same moment.
        CountDownLatch go = new CountDownLatch(1);
        Callable<LockboxServer> start = () -> {
            go.await();
            return LockboxServer.start(store.config(), clock, JdbcAuditLog::new, listener);
        };
        Future<LockboxServer> fa = pool.submit(start);
        Future<LockboxServer> fb = pool.submit(start);
        go.countDown();
        a = fa.get(120, TimeUnit.SECONDS);
        b = fb.get(120, TimeUnit.SECONDS);
        assertThat(a.port()).isNotEqualTo(b.port());
        apiA = new ApiClient(a.baseUrl());
        apiB = new ApiClient(b.baseUrl());
        user(apiA, "alice", Role.APPROVER);
        user(apiB, "dave", Role.AUDITOR);
        apiA.post(ADMIN, "/api/environments", new EnvironmentSpec(ENV, "Production", "jdbc:h2:mem:prod", List.of("alice"), null,
                "eng_prod", "s3cret-prod")).expect(201);
    }

    @AfterEach
    void stop() {
        pool.shutdownNow();
        if (a != null) a.close();
        if (b != null) b.close();
        if (smtp != null) smtp.stop();
        if (store != null) store.close();
    }

    @Test
    void aDecisionOnOneReplicaIsSeenByTheOtherAtOnce() {
        user(apiA, "bob", Role.ENGINEER);
        AccessRequest r = request(apiB, "bob");
        assertThat(apiB.get(tokens.get("bob"), "/api/grants/active?environment=" + ENV).expect(404).error().error())
                .isEqualTo(GrantRefusal.REQUEST_PENDING.code());

        apiA.post(tokens.get("alice"), "/api/requests/" + r.id() + "/approve", Map.of("comment", "ok")).expect(200);
        assertThat(apiB.get(tokens.get("bob"), "/api/grants/active?environment=" + ENV).expect(200).as(ActiveGrant.class).requestId())
                .isEqualTo(r.id());
        apiB.post(tokens.get("bob"), "/api/sessions", new SessionOpen(ENV, UUID.randomUUID().toString(), "laptop", "psql", "1")).expect(201);

        apiB.post(tokens.get("alice"), "/api/requests/" + r.id() + "/revoke", Map.of("comment", "done")).expect(200);
        assertThat(apiA.get(tokens.get("bob"), "/api/grants/active?environment=" + ENV).expect(404).error().error())
                .isEqualTo(GrantRefusal.ACCESS_REVOKED.code());
        assertThat(apiA.post(tokens.get("bob"), "/api/sessions", new SessionOpen(ENV, UUID.randomUUID().toString(), "laptop", "psql", "1"))
                .expect(404).error().error()).isEqualTo(GrantRefusal.ACCESS_REVOKED.code());
        assertThat(started.get(r.id()).get()).isEqualTo(1);
        assertThat(ended.get(r.id()).get()).isEqualTo(1);
    }

    @Test
    void eachExpiryAndEndOfAccessHappensOnceWithOneMailSentOnce() throws Exception {
        int n = 12;
        List<AccessRequest> approved = new ArrayList<>();
        List<AccessRequest> pending = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String engineer = "eng" + i;
            user(i % 2 == 0 ? apiA : apiB, engineer, Role.ENGINEER);
            ApiClient filedOn = i % 4 < 2 ? apiA : apiB;
            AccessRequest r = request(filedOn, engineer);
            if (i % 2 == 0) {
                ApiClient decidedOn = filedOn == apiA ? apiB : apiA;
                approved.add(decidedOn.post(tokens.get("alice"), "/api/requests/" + r.id() + "/approve", Map.of()).expect(200).as(AccessRequest.class));
            } else {
                pending.add(r);
            }
        }

        // Every window and every pending request is due at once; both schedulers race for them,
        // and two more threads call tick() on both replicas side by side.
        clock.set(T0.plus(Duration.ofHours(13)));
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> ticks = new ArrayList<>();
        for (LockboxServer replica : List.of(a, b, a, b)) {
            ticks.add(pool.submit(() -> {
                go.await();
                int done = 0;
                for (int round = 0; round < 5; round++) {
                    var t = replica.tick();
                    done += t.requestsExpired() + t.accessEnded();
                }
                return done;
            }));
        }
        go.countDown();
        for (Future<Integer> t : ticks) t.get(120, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (AccessRequest r : pending) assertThat(get(apiB, r.id()).status()).isEqualTo(RequestStatus.EXPIRED);
            for (AccessRequest r : approved) assertThat(actions(get(apiA, r.id()))).contains("access_ended");
        });
        for (AccessRequest r : pending) {
            assertThat(actions(get(apiA, r.id()))).as(r.id()).containsExactly("create", "expire");
        }
        for (AccessRequest r : approved) {
            assertThat(actions(get(apiB, r.id()))).as(r.id()).containsExactly("create", "approve", "access_ended");
            assertThat(started.get(r.id()).get()).as("grantStarted of " + r.id()).isEqualTo(1);
            assertThat(ended.get(r.id()).get()).as("grantEnded of " + r.id()).isEqualTo(1);
        }
        assertThat(ended.keySet()).hasSize(approved.size());

        // One mail per engineer (approved or expired), one pending mail per request to alice;
        // each sent by exactly one of the two senders.
        Map<String, Integer> expected = new HashMap<>();
        for (int i = 0; i < n; i++) expected.put("eng" + i + "@example.com", 1);
        expected.put("alice@example.com", n);
        assertThat(outboxRecipients()).isEqualTo(expected);
        await().atMost(Duration.ofSeconds(60)).until(() -> a.pendingMails() == 0 && smtp.getReceivedMessages().length >= 2 * n);
        assertThat(maxAttempts()).as("a mail marked sent twice was sent by both replicas").isEqualTo(1);
        Map<String, Integer> received = new HashMap<>();
        for (MimeMessage m : smtp.getReceivedMessages()) received.merge(m.getAllRecipients()[0].toString(), 1, Integer::sum);
        assertThat(received).isEqualTo(expected);
    }

    @Test
    void auditChainsStayGapFreeWhenBothReplicasIngestAtOnce() throws Exception {
        int engineers = 4;
        int batchesEach = 6;
        int eventsPerBatch = 20;
        Map<String, String> grants = new HashMap<>();
        for (int i = 0; i < engineers; i++) {
            String engineer = "eng" + i;
            user(apiA, engineer, Role.ENGINEER);
            AccessRequest r = request(i % 2 == 0 ? apiA : apiB, engineer);
            apiB.post(tokens.get("alice"), "/api/requests/" + r.id() + "/approve", Map.of()).expect(200);
            grants.put(engineer, r.id());
        }
        clock.advance(Duration.ofSeconds(1));
        // Both replicas export the chain into one lake while they ingest: a thread runs export passes
        // on both, side by side with the shippers; the lease lets one of them write at a time. PT5M:
        // the lease (3 intervals + 30 s) outlives the clock moves below, files older than 10 minutes
        // are committed at the next pass.
        Path lake = dir.resolve("lake");
        String lakeUri = "file://" + lake.toAbsolutePath();
        apiB.put(ADMIN, "/api/export", new ExportConfig(lakeUri, ExportEnvironmentMode.ALL, List.of(),
                Duration.ofMinutes(5), true)).expect(200);

        // Each engineer ships through both replicas in turn: DENIED events (sealed on arrival),
        // ALLOWED events whose outcome comes in the next batch through the other replica, and
        // ALLOWED events that never get one (sealed later by whichever scheduler gets there).
        Set<String> submitted = ConcurrentHashMap.newKeySet();
        AtomicInteger completed = new AtomicInteger();
        AtomicInteger neverCompleted = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> shippers = new ArrayList<>();
        for (int i = 0; i < engineers; i++) {
            String engineer = "eng" + i;
            int first = i;
            shippers.add(pool.submit(() -> {
                go.await();
                String session = UUID.randomUUID().toString();
                ApiClient opener = first % 2 == 0 ? apiB : apiA;
                opener.post(tokens.get(engineer), "/api/sessions", new SessionOpen(ENV, session, "host", "tool", "1")).expect(201);
                List<AuditOutcome> owed = List.of();
                for (int batch = 0; batch < batchesEach; batch++) {
                    List<AuditEventSubmission> events = new ArrayList<>();
                    List<AuditOutcome> next = new ArrayList<>();
                    for (int e = 0; e < eventsPerBatch; e++) {
                        String id = UUID.randomUUID().toString();
                        Decision d = e % 3 == 0 ? Decision.DENIED : Decision.ALLOWED;
                        events.add(new AuditEventSubmission(id, clock.instant(), grants.get(engineer), "prod", "eng_prod", session, "host",
                                "tool", d == Decision.DENIED ? "DELETE" : "SELECT", d == Decision.DENIED ? ActionClass.WRITE : ActionClass.READ,
                                List.of("public.orders"), "SELECT " + e + " FROM orders", null, d, d == Decision.DENIED ? "read-only grant" : null));
                        if (d == Decision.ALLOWED && e % 3 == 1) {
                            next.add(new AuditOutcome(id, true, 1L, null, 0.5));
                            completed.incrementAndGet();
                        } else if (d == Decision.ALLOWED) {
                            neverCompleted.incrementAndGet();
                        }
                        submitted.add(id);
                    }
                    ApiClient via = (first + batch) % 2 == 0 ? apiA : apiB;
                    AuditAck ack = via.post(tokens.get(engineer), "/api/audit/events", new AuditBatch(ENV, events, owed)).expect(200).as(AuditAck.class);
                    assertThat(ack.stored()).isEqualTo(eventsPerBatch);
                    assertThat(ack.outcomesApplied()).isEqualTo(owed.size());
                    owed = next;
                }
                (first % 2 == 0 ? apiA : apiB).post(tokens.get(engineer), "/api/audit/events", new AuditBatch(ENV, List.of(), owed)).expect(200);
                return null;
            }));
        }
        AtomicInteger exportPasses = new AtomicInteger();
        Future<?> exporting = pool.submit(() -> {
            go.await();
            while (!shippers.stream().allMatch(Future::isDone)) {
                for (LockboxServer replica : List.of(a, b)) {
                    if (replica.exportNow().isPresent()) exportPasses.incrementAndGet();
                }
                Thread.sleep(20);
            }
            return null;
        });
        go.countDown();
        for (Future<?> f : shippers) f.get(180, TimeUnit.SECONDS);
        exporting.get(60, TimeUnit.SECONDS);
        assertThat(exportPasses.get()).as("export passes during the ingestion").isPositive();

        // Past the outcome timeout both schedulers seal what is still waiting.
        clock.advance(Duration.ofMinutes(11));
        Future<?> ta = pool.submit(() -> a.tick());
        Future<?> tb = pool.submit(() -> b.tick());
        ta.get(60, TimeUnit.SECONDS);
        tb.get(60, TimeUnit.SECONDS);

        int expectedCount = submitted.size() + engineers; // plus one CONNECT per engineer
        List<AuditEvent> chain = await().atMost(Duration.ofSeconds(60)).until(this::wholeChain, c -> c.size() == expectedCount);
        String prev = AuditHashChain.GENESIS;
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < chain.size(); i++) {
            AuditEvent e = chain.get(i);
            assertThat(e.sequence()).as("sequence at position " + i).isEqualTo(i + 1L);
            assertThat(e.prevHash()).as("link of sequence " + e.sequence()).isEqualTo(prev);
            assertThat(AuditHashChain.isIntact(e)).as("hash of sequence " + e.sequence()).isTrue();
            assertThat(ids.add(e.eventId())).as("event " + e.eventId() + " once").isTrue();
            prev = e.hash();
        }
        assertThat(ids).containsAll(submitted);
        List<AuditEvent> statements = chain.stream().filter(e -> !e.action().equals(AuditEvent.CONNECT)).toList();
        assertThat(statements.stream().filter(e -> Boolean.TRUE.equals(e.succeeded())).count())
                .as("ALLOWED events sealed with the outcome sent through the other replica").isEqualTo(completed.get());
        assertThat(statements.stream().filter(e -> e.decision().equals("ALLOWED") && e.succeeded() == null).count())
                .as("ALLOWED events sealed by a scheduler without outcome").isEqualTo(neverCompleted.get());
        assertThat(completed.get()).isPositive();
        assertThat(neverCompleted.get()).isPositive();

        // The lake: whichever replica holds the lease commits files older than 10 minutes at its next
        // pass; the exporter's own `verify` finds the chain gap-free and intact up to the store's last
        // hash, and every event is in it exactly once.
        for (int round = 0; round < 4 && exportLag() > 0; round++) {
            a.exportNow();
            b.exportNow();
            if (exportLag() > 0) clock.advance(Duration.ofMinutes(11));
        }
        assertThat(exportLag()).as("events not yet in the lake").isZero();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine verify = ExporterCommand.newCommandLine();
        verify.setOut(new PrintWriter(out));
        verify.setErr(new PrintWriter(err));
        assertThat(verify.execute("verify", "--lake", lakeUri)).as("verify: %s%s", out, err).isZero();
        assertThat(out.toString()).matches("(?s)" + ENV + ": intact, " + chain.size() + " rows in \\d+ files, sequences 1\\.\\."
                + chain.size() + ", last hash " + prev + "\\R");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT event_id, sequence FROM read_parquet('" + lake
                     + "/sql_audit/**/*.parquet', hive_partitioning=true) ORDER BY sequence")) {
            List<String> lakeIds = new ArrayList<>();
            while (rs.next()) {
                assertThat(rs.getLong(2)).isEqualTo(lakeIds.size() + 1L);
                lakeIds.add(rs.getString(1));
            }
            assertThat(lakeIds).containsExactlyElementsOf(chain.stream().map(AuditEvent::eventId).toList());
        }
    }

    private long exportLag() {
        return apiA.get(tokens.get("dave"), "/api/export").expect(200).as(ExportStatus.class).lag();
    }

    /** Every sealed event of the environment, read in pages through replica A. */
    private List<AuditEvent> wholeChain() {
        List<AuditEvent> out = new ArrayList<>();
        long after = 0;
        while (true) {
            AuditEventPage page = apiA.get(tokens.get("dave"), "/api/audit/events?environment=" + ENV + "&afterSequence=" + after + "&limit=1000")
                    .expect(200).as(AuditEventPage.class);
            out.addAll(page.events());
            if (page.events().isEmpty()) return out;
            after = page.events().get(page.events().size() - 1).sequence();
        }
    }

    private void user(ApiClient api, String name, Role role) {
        IssuedToken t = api.post(ADMIN, "/api/users", new NewUser(name, List.of(role), name + "@example.com", null)).expect(201).as(IssuedToken.class);
        tokens.put(name, t.token());
    }

    private AccessRequest request(ApiClient api, String engineer) {
        return api.post(tokens.get(engineer), "/api/requests", new NewAccessRequest(ENV, "TICKET-7", "replica test",
                AccessLevel.READ_ONLY, Duration.ofHours(1), null)).expect(201).as(AccessRequest.class);
    }

    private static AccessRequest get(ApiClient api, String id) {
        return api.get(ADMIN, "/api/requests/" + id).expect(200).as(AccessRequest.class);
    }

    private static List<String> actions(AccessRequest r) {
        return r.history().stream().map(RequestHistoryEntry::action).toList();
    }

    private Map<String, Integer> outboxRecipients() throws Exception {
        Map<String, Integer> out = new HashMap<>();
        try (Connection c = a.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT recipient, COUNT(*) FROM mail_outbox GROUP BY recipient")) {
            while (rs.next()) out.put(rs.getString(1), rs.getInt(2));
        }
        return out;
    }

    private int maxAttempts() throws Exception {
        try (Connection c = b.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT MAX(attempts), COUNT(*) FROM mail_outbox WHERE sent_at IS NOT NULL")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}

package dev.lockbox.server.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.lockbox.api.admin.Environment;
import dev.lockbox.api.admin.EnvironmentSpec;
import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.grant.SessionGrant;
import dev.lockbox.api.grant.SessionOpen;
import dev.lockbox.api.grant.TargetConnection;
import dev.lockbox.api.request.AccessLevel;
import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.api.request.NewAccessRequest;
import dev.lockbox.api.request.RequestHistoryEntry;
import dev.lockbox.server.testing.ApiClient;
import dev.lockbox.server.testing.TestServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The credential broker plugged into the approval server, end to end over HTTP: an environment in
 * {@code broker} mode, grants approved through the API, credentials taken from
 * {@code POST /api/sessions} and used with RAW JDBC connections (no Lockbox driver in between), so
 * the target database itself must refuse what the grant does not cover.
 */
abstract class BrokeredGrantContract {
    static final String ENV = "sales";

    @TempDir
    Path dir;
    TestServer lb;
    TestTarget target;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final List<String> answers = new ArrayList<>();
    private final List<Connection> opened = new ArrayList<>();
    private final List<String> made = new ArrayList<>();

    /** A fresh target database with the sample tables. */
    abstract TestTarget startTarget(String environment);

    /** The broker-mode environment body for {@link #target}. */
    abstract EnvironmentSpec environmentSpec(TestTarget target);

    /** The target's admin password, which must never leave the server. */
    abstract String adminSecret();

    @BeforeEach
    void start() {
        logs.start();
        root().addAppender(logs);
        target = startTarget(ENV);
        lb = new TestServer(dir);
        // Real time: PostgreSQL users get VALID UNTIL accessExpiresAt, checked against the target's clock.
        lb.clock.set(Instant.now().truncatedTo(ChronoUnit.MILLIS));
        lb.withCast();
        Environment env = lb.api.post(TestServer.ADMIN_TOKEN, "/api/environments", environmentSpec(target)).expect(201).as(Environment.class);
        assertThat(env.credentialMode()).hasToString("BROKER");
        assertThat(env.hasTargetCredentials()).isTrue();
        lb.api.put(TestServer.ADMIN_TOKEN, "/api/environments/" + ENV, new EnvironmentSpec(ENV, "Sales", target.database().jdbcUrl(),
                List.of("alice"), null, null, null)).expect(200); // a PUT without credentials keeps them
    }

    @AfterEach
    void stop() throws SQLException {
        // PostgreSQL roles are cluster-wide and outlive the test database: end every grant so the
        // server drops its user, or the next test's reconciliation finds it as a leftover.
        if (lb != null && lb.server != null) {
            lb.clock.advance(Duration.ofDays(1));
            lb.server.tick();
        }
        for (String user : made) {
            if (userExists(user)) dropUser(user);
        }
        for (Connection c : opened) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // dead on purpose
            }
        }
        root().detachAppender(logs);
        if (lb != null) lb.close();
        if (target != null) target.close();
    }

    @Test
    void readOnlyUserReadsButCannotWriteAndRevocationKillsItsSessionAndLogin() throws Exception {
        AccessRequest r = approved(AccessLevel.READ_ONLY, null);
        assertThat(actions(r.id())).contains("user_created");
        TargetConnection t = connect("bob");
        assertThat(t.jdbcUrl()).isEqualTo(target.database().jdbcUrl());
        assertThat(t.user()).matches("lockbox_g_[0-9a-f]{16}");
        assertThat(connect("bob")).as("every connect of the grant gets the same user").isEqualTo(t);

        Connection raw = login(t);
        try (Statement st = raw.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM orders")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(2);
        }
        assertRefused(raw, "INSERT INTO orders VALUES (3, 'plum', 1)");
        assertRefused(raw, "UPDATE orders SET qty = 0");
        assertRefused(raw, "DELETE FROM customers");
        assertRefused(raw, "CREATE TABLE sneaky (id INT)");
        assertThat(count(target, "orders")).isEqualTo(2);

        lb.decide("alice", r.id(), "revoke");
        // The revocation ran before the answer: no waiting, the user is gone already.
        assertDead(raw);
        assertThatThrownBy(() -> login(t)).isInstanceOf(SQLException.class);
        assertThat(userExists(t.user())).isFalse();
        assertThat(actions(r.id())).containsSubsequence("user_created", "revoke", "sessions_ended", "user_dropped");
        assertThat(history(r.id())).anySatisfy(e -> assertThat(e.comment()).isEqualTo("user " + t.user() + " dropped"));
        assertThat(lb.api.post(lb.token("bob"), "/api/sessions", open()).expect(404).error().error()).isEqualTo("access_revoked");
        assertNoSecretLeaked(t.password());
    }

    @Test
    void scopedUserReadsOnlyItsTables() throws Exception {
        approved(AccessLevel.READ_ONLY, List.of("orders"));
        TargetConnection t = connect("bob");
        Connection raw = login(t);
        try (Statement st = raw.createStatement(); ResultSet rs = st.executeQuery("SELECT item FROM orders WHERE id = 1")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("apple");
        }
        assertRefused(raw, "SELECT * FROM customers");
        assertRefused(raw, "SELECT * FROM \"MixedCase\"");
    }

    @Test
    void expiryEndsSessionsAndDropsTheUser() throws Exception {
        AccessRequest r = approved(AccessLevel.READ_WRITE, List.of("orders"));
        TargetConnection t = connect("bob");
        Connection raw = login(t);
        try (Statement st = raw.createStatement()) {
            assertThat(st.executeUpdate("UPDATE orders SET qty = 9 WHERE id = 1")).isEqualTo(1);
        }
        assertRefused(raw, "DELETE FROM customers");
        assertRefused(raw, "DROP TABLE orders");

        lb.clock.set(r.accessExpiresAt());
        assertThat(lb.server.tick().accessEnded()).isEqualTo(1);
        assertDead(raw);
        assertThatThrownBy(() -> login(t)).isInstanceOf(SQLException.class);
        assertThat(userExists(t.user())).isFalse();
        assertThat(actions(r.id())).containsSubsequence("user_created", "access_ended", "sessions_ended", "user_dropped");
        assertNoSecretLeaked(t.password());
    }

    @Test
    void restartReconcilesAUserWhoseGrantEndedWhileTheServerWasDown() throws Exception {
        AccessRequest r = approved(AccessLevel.READ_ONLY, null);
        TargetConnection t = connect("bob");
        Connection raw = login(t);
        lb.server.close();
        lb.clock.set(r.accessExpiresAt().plusSeconds(1));
        lb.start(); // no tick: the reconciliation at start must find the user on its own

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(userExists(t.user())).isFalse());
        assertDead(raw);
        assertThatThrownBy(() -> login(t)).isInstanceOf(SQLException.class);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(actions(r.id())).contains("user_dropped"));
        assertNoSecretLeaked(t.password());
    }

    @Test
    void reconciliationDropsAUserTheStoreDoesNotKnow() throws Exception {
        String stray = "lockbox_g_00112233aabbccdd";
        made.add(stray);
        createStrayUser(stray);
        assertThat(userExists(stray)).isTrue();
        assertThat(lb.server.reconcileCredentials().droppedLeftovers()).containsExactly(ENV + ":" + stray);
        assertThat(userExists(stray)).isFalse();
    }

    @Test
    void aGrantWhoseUserCannotBeIssuedIsRefusedAtConnectWithTheReason() {
        AccessRequest r = approved(AccessLevel.READ_ONLY, List.of("no_such_table"));
        assertThat(history(r.id())).anySatisfy(e -> {
            assertThat(e.actor()).isEqualTo("broker");
            assertThat(e.action()).isEqualTo("issue_failed");
            assertThat(e.comment()).contains("no_such_table");
        });
        var refusal = lb.api.post(lb.token("bob"), "/api/sessions", open()).expect(503).error();
        assertThat(refusal.error()).isEqualTo("credentials_unavailable");
        assertThat(refusal.message()).contains("no_such_table");
        assertThat(lb.audit.sessionEvents).anySatisfy(e -> assertThat(e.action()).isEqualTo(AuditEvent.CONNECT_DENIED));
        assertThat(lb.audit.sessionEvents).noneSatisfy(e -> assertThat(e.action()).isEqualTo(AuditEvent.CONNECT));
    }

    // --- helpers

    AccessRequest approved(AccessLevel level, List<String> scope) {
        AccessRequest r = lb.api.post(lb.token("bob"), "/api/requests", new NewAccessRequest(ENV, "INC-7", "broker test",
                level, Duration.ofHours(1), scope)).expect(201).as(AccessRequest.class);
        return lb.decide("alice", r.id(), "approve");
    }

    private SessionOpen open() {
        return new SessionOpen(ENV, UUID.randomUUID().toString(), "laptop", "raw-jdbc-test", "test");
    }

    TargetConnection connect(String engineer) {
        ApiClient.Response res = lb.api.post(lb.token(engineer), "/api/sessions", open()).expect(201);
        TargetConnection t = res.as(SessionGrant.class).target();
        made.add(t.user());
        return t;
    }

    Connection login(TargetConnection t) throws SQLException {
        Connection c = target.login(t.user(), t.password());
        opened.add(c);
        return c;
    }

    List<RequestHistoryEntry> history(String id) {
        ApiClient.Response res = lb.api.get(TestServer.ADMIN_TOKEN, "/api/requests/" + id).expect(200);
        answers.add(res.body());
        return res.as(AccessRequest.class).history();
    }

    List<String> actions(String id) {
        return history(id).stream().map(RequestHistoryEntry::action).toList();
    }

    boolean userExists(String user) throws SQLException {
        return target.userNames().stream().anyMatch(n -> n.equalsIgnoreCase(user));
    }

    private void createStrayUser(String user) throws SQLException {
        boolean h2 = target.database().jdbcUrl().startsWith("jdbc:h2:");
        target.adminExecute(h2 ? "CREATE USER " + user + " PASSWORD 'x'" : "CREATE ROLE " + user + " LOGIN PASSWORD 'x'");
    }

    private void dropUser(String user) throws SQLException {
        boolean h2 = target.database().jdbcUrl().startsWith("jdbc:h2:");
        if (h2) {
            target.adminExecute("DROP USER IF EXISTS " + user);
        } else {
            target.adminExecute("DROP OWNED BY " + user, "DROP ROLE IF EXISTS " + user);
        }
    }

    private static long count(TestTarget target, String table) throws SQLException {
        try (Connection c = target.admin(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void assertRefused(Connection raw, String sql) {
        assertThatThrownBy(() -> {
            try (Statement st = raw.createStatement()) {
                st.execute(sql);
            }
        }).as(sql).isInstanceOf(SQLException.class);
        resetAfterError(raw);
    }

    /** PostgreSQL aborts the transaction after an error; the tests run in auto-commit, nothing to do, but say so. */
    private static void resetAfterError(Connection raw) {
        try {
            if (!raw.getAutoCommit()) raw.rollback();
        } catch (SQLException ignored) {
            // a dead connection is checked elsewhere
        }
    }

    static void assertDead(Connection raw) {
        assertThatThrownBy(() -> {
            try (Statement st = raw.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
                rs.next();
            }
        }).as("an open raw session of the grant user after the grant ended").isInstanceOf(SQLException.class);
    }

    /** Neither the admin secret nor the grant password appear in API answers (other than the connect) or in the log. */
    void assertNoSecretLeaked(String grantPassword) {
        answers.add(lb.api.get(TestServer.ADMIN_TOKEN, "/api/environments").expect(200).body());
        answers.add(lb.api.get(TestServer.ADMIN_TOKEN, "/api/environments/" + ENV).expect(200).body());
        answers.add(lb.api.get(lb.token("alice"), "/api/environments/" + ENV).expect(200).body());
        answers.add(lb.api.get(TestServer.ADMIN_TOKEN, "/api/requests").expect(200).body());
        List<String> logLines = logLines();
        assertThat(logLines).as("the log captured something").isNotEmpty();
        for (String secret : List.of(adminSecret(), grantPassword)) {
            assertThat(answers).noneSatisfy(a -> assertThat(a).contains(secret));
            assertThat(logLines).noneSatisfy(l -> assertThat(l).contains(secret));
        }
    }

    /** What the server logged during this test, rendered with exception messages. */
    List<String> logLines() {
        List<ILoggingEvent> copy;
        synchronized (logs) { // the appender appends under its own lock, from the server's threads
            copy = new ArrayList<>(logs.list);
        }
        return copy.stream().map(BrokeredGrantContract::render).toList();
    }

    private static String render(ILoggingEvent e) {
        StringBuilder s = new StringBuilder(e.getFormattedMessage());
        for (var t = e.getThrowableProxy(); t != null; t = t.getCause()) s.append(' ').append(t.getMessage());
        return s.toString();
    }

    private static Logger root() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (!root.isEnabledFor(Level.INFO)) throw new IllegalStateException("the log test needs INFO on the root logger");
        return root;
    }
}

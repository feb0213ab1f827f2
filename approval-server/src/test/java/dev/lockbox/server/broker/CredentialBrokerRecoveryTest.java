package dev.lockbox.server.broker;

import java.time.Instant;
import dev.lockbox.server.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockbox.api.grant.TargetConnection;
import dev.lockbox.api.request.AccessLevel;
import dev.lockbox.server.broker.BrokerEvent.Kind;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker across restarts and failures: an H2 file store (broker migrations only; a PostgreSQL
 * database on the postgres-store run) and an H2 target over TCP. Each "restart" is a new broker on
 * new connections to the same store.
 */
class CredentialBrokerRecoveryTest {
    static final String ENV = "shop";

    @TempDir
    Path dir;
    final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T09:00:00Z"));
    final List<BrokerEvent> events = new CopyOnWriteArrayList<>();
    H2TestTarget target;
    BrokerStore store;

    @BeforeEach
    void setUp() {
        store = BrokerStore.persistentForRun(dir);
        target = H2TestTarget.start(ENV);
    }

    @AfterEach
    void tearDown() {
        try {
            if (target != null) target.close();
        } finally {
            if (store != null) store.close(); // null when the PostgreSQL run is skipped (no LOCKBOX_TEST_PG_URL)
        }
    }

    CredentialBroker start(TargetDirectory targets) {
        return new CredentialBroker(store.dataSource(), targets, clock, events::add);
    }

    GrantSpec grant(String requestId) {
        return new GrantSpec(requestId, ENV, AccessLevel.READ_ONLY, null, clock.instant().plus(Duration.ofHours(2)));
    }

    static int count(Connection c, String table) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void issuedCredentialsSurviveARestart() throws Exception {
        TargetConnection before;
        try (CredentialBroker first = start(TargetDirectory.of(target.database()))) {
            before = first.issue(grant("req-1"));
        }
        events.clear();

        try (CredentialBroker second = start(TargetDirectory.of(target.database()))) {
            TargetConnection after = second.issue(grant("req-1"));

            assertThat(after).isEqualTo(before);
            assertThat(events).as("no second user was made").isEmpty();
            try (Connection c = target.login(after.user(), after.password())) {
                assertThat(count(c, "orders")).isEqualTo(2);
            }
        }
    }

    @Test
    void grantThatEndedWhileTheServerWasDownIsCleanedUpAtStart() throws Exception {
        TargetConnection ended;
        TargetConnection active;
        try (CredentialBroker first = start(TargetDirectory.of(target.database()))) {
            ended = first.issue(grant("req-ended"));
            active = first.issue(grant("req-active"));
        }
        Connection leftoverSession = target.login(ended.user(), ended.password());
        clock.advance(Duration.ofHours(3));

        try (CredentialBroker second = start(TargetDirectory.of(target.database()))) {
            ReconcileReport report = second.reconcile(Set.of("req-active"));

            assertThat(report.revokedRequests()).containsExactly("req-ended");
            assertThat(report.failures()).isEmpty();
        }
        assertThatThrownBy(() -> count(leftoverSession, "orders")).isInstanceOf(SQLException.class);
        assertThatThrownBy(() -> target.login(ended.user(), ended.password()).close()).isInstanceOf(SQLException.class);
        try (Connection c = target.login(active.user(), active.password())) {
            assertThat(count(c, "orders")).isEqualTo(1 + 1);
        }
        assertThat(storedRow("req-ended")).hasValueSatisfying(row -> {
            assertThat(row.state()).isEqualTo("REVOKED");
            assertThat(row.password()).as("the password of a dropped user is forgotten").isNull();
            assertThat(row.revokedAt()).isNotNull();
        });
        assertThat(storedRow("req-active")).hasValueSatisfying(row -> assertThat(row.state()).isEqualTo("ISSUED"));
        leftoverSession.close();
    }

    @Test
    void userLeftHalfCreatedByACrashedIssuerIsTakenOverOnceStale() throws Exception {
        GrantUserName user = GrantUserName.forRequest("req-crash");
        // What a crash between "row written" and "user complete" leaves: a CREATING row and a user.
        try (CredentialBroker first = start(TargetDirectory.of(target.database()))) {
            insertRow("req-crash", user, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "CREATING", clock.instant());
        }
        target.adminExecute("CREATE USER \"" + user.value().toUpperCase() + "\" PASSWORD 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'");
        Connection crashedSession = target.login(user.value(), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");

        try (CredentialBroker second = start(TargetDirectory.of(target.database()))) {
            assertThatThrownBy(() -> second.issue(grant("req-crash")))
                    .isInstanceOf(BrokerException.class).hasMessageContaining("being created by another server");

            clock.advance(CredentialBroker.STALE_CREATION.plusSeconds(1));
            TargetConnection tc = second.issue(grant("req-crash"));

            try (Connection c = target.login(tc.user(), tc.password())) {
                assertThat(count(c, "orders")).isEqualTo(2);
            }
            assertThatThrownBy(() -> count(crashedSession, "orders")).as("the half-made user was dropped first")
                    .isInstanceOf(SQLException.class);
            assertThat(storedRow("req-crash")).hasValueSatisfying(row -> assertThat(row.state()).isEqualTo("ISSUED"));
        }
        crashedSession.close();
    }

    @Test
    void unreachableTargetFailsIssueCleanlyAndTheGrantCanBeIssuedLater() throws Exception {
        AtomicReference<TargetDatabase> current = new AtomicReference<>(deadTarget());
        try (CredentialBroker broker = start(switchable(current))) {
            assertThatThrownBy(() -> broker.issue(grant("req-1")))
                    .isInstanceOf(BrokerException.class).hasMessageContaining("could not create the database user of request req-1");
            assertThat(storedRow("req-1")).isEmpty();

            current.set(target.database());
            TargetConnection tc = broker.issue(grant("req-1"));
            try (Connection c = target.login(tc.user(), tc.password())) {
                assertThat(count(c, "orders")).isEqualTo(2);
            }
        }
    }

    @Test
    void failedRevocationIsReportedAndRetriedByReconciliation() throws Exception {
        AtomicReference<TargetDatabase> current = new AtomicReference<>(target.database());
        try (CredentialBroker broker = start(switchable(current))) {
            TargetConnection tc = broker.issue(grant("req-1"));
            current.set(deadTarget());

            assertThatThrownBy(() -> broker.revoke("req-1"))
                    .isInstanceOf(BrokerException.class).hasMessageContaining("retried until it is dropped");
            assertThat(events).last().satisfies(e -> {
                assertThat(e.kind()).isEqualTo(Kind.REVOKE_FAILED);
                assertThat(e.toHistoryEntry().action()).isEqualTo("revoke_failed");
            });
            assertThat(storedRow("req-1")).hasValueSatisfying(row -> assertThat(row.state()).isEqualTo("ISSUED"));

            current.set(target.database());
            clock.advance(Duration.ofMinutes(1));
            ReconcileReport report = broker.reconcile(Set.of());

            assertThat(report.revokedRequests()).containsExactly("req-1");
            assertThatThrownBy(() -> target.login(tc.user(), tc.password()).close()).isInstanceOf(SQLException.class);
        }
    }

    @Test
    void reconciliationReportsAnUnreachableTargetAndCarriesOn() throws Exception {
        H2TestTarget other = H2TestTarget.start("other");
        try (CredentialBroker broker = start(TargetDirectory.of(deadTarget(), other.database()))) {
            GrantUserName stray = GrantUserName.forRequest("lost");
            other.adminExecute("CREATE USER \"" + stray.value().toUpperCase() + "\" PASSWORD 'x'");

            ReconcileReport report = broker.reconcile(Set.of());

            assertThat(report.failures()).singleElement().asString().startsWith("environment " + ENV + ": ");
            assertThat(report.droppedLeftovers()).containsExactly("other:" + stray);
        } finally {
            other.close();
        }
    }

    /** The same environment, on a loopback port where nothing listens. */
    TargetDatabase deadTarget() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        return TargetDatabase.of(ENV, "jdbc:h2:tcp://127.0.0.1:" + port + "/mem:gone", H2TestTarget.ADMIN, H2TestTarget.ADMIN_PASSWORD);
    }

    static TargetDirectory switchable(AtomicReference<TargetDatabase> current) {
        return new TargetDirectory() {
            @Override
            public Optional<TargetDatabase> target(String environment) {
                return Optional.of(current.get()).filter(t -> t.environment().equals(environment));
            }

            @Override
            public List<TargetDatabase> targets() {
                return List.of(current.get());
            }
        };
    }

    record Row(String state, String password, OffsetDateTime revokedAt) {}

    Optional<Row> storedRow(String requestId) throws SQLException {
        DataSource ds = store.dataSource();
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT state, password, revoked_at FROM broker_credential WHERE request_id = ?")) {
            ps.setString(1, requestId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Row(rs.getString(1), rs.getString(2), rs.getObject(3, OffsetDateTime.class))) : Optional.empty();
            }
        }
    }

    void insertRow(String requestId, GrantUserName user, String password, String state, java.time.Instant createdAt) throws SQLException {
        try (Connection c = store.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO broker_credential (request_id, environment, db_user, jdbc_url, password,"
                     + " state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, requestId);
            ps.setString(2, ENV);
            ps.setString(3, user.value());
            ps.setString(4, target.database().jdbcUrl());
            ps.setString(5, password);
            ps.setString(6, state);
            ps.setObject(7, createdAt.atOffset(ZoneOffset.UTC));
            ps.executeUpdate();
        }
    }
}

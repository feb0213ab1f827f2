package dev.lockbox.server.broker;

import dev.lockbox.server.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockbox.api.grant.TargetConnection;
import dev.lockbox.api.request.AccessLevel;
import dev.lockbox.server.broker.BrokerEvent.Kind;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every target dialect must do, checked with raw JDBC sessions of the issued users (no
 * Lockbox driver in between: the database itself must refuse). Subclasses supply the target.
 */
abstract class CredentialBrokerContract {
    static final String ENV = "shop";

    final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T09:00:00Z"));
    final List<BrokerEvent> events = new CopyOnWriteArrayList<>();
    TestTarget target;
    BrokerStore brokerStore;
    DataSource store;
    CredentialBroker broker;

    abstract TestTarget startTarget(String environment);

    @BeforeEach
    void setUp() {
        target = startTarget(ENV);
        try {
            brokerStore = BrokerStore.forRun();
        } catch (RuntimeException | Error e) { // e.g. PostgreSQL store tests skipped
            target.close();
            target = null;
            throw e;
        }
        store = brokerStore.dataSource();
        broker = new CredentialBroker(store, TargetDirectory.of(target.database()), clock, events::add);
    }

    @AfterEach
    void tearDown() {
        if (target == null) return; // the target or the store could not start (e.g. PostgreSQL tests skipped)
        try {
            // Roles are cluster-wide on PostgreSQL: leave none behind for the next test.
            clock.advance(Duration.ofSeconds(1));
            broker.reconcile(Set.of());
            broker.close();
        } finally {
            try {
                target.close();
            } finally {
                brokerStore.close();
            }
        }
    }

    GrantSpec grant(String requestId, AccessLevel level, List<String> scope) {
        return new GrantSpec(requestId, ENV, level, scope, clock.instant().plus(Duration.ofHours(2)));
    }

    Connection login(TargetConnection tc) throws SQLException {
        assertThat(tc.jdbcUrl()).isEqualTo(target.database().jdbcUrl());
        return target.login(tc.user(), tc.password());
    }

    static int count(Connection c, String table) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    static void execute(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    boolean userOnTarget(TargetConnection tc) throws SQLException {
        return target.userNames().stream().anyMatch(n -> n.equalsIgnoreCase(tc.user()));
    }

    @Test
    void readOnlyUserReadsButCannotWriteOrChangeTheSchema() throws Exception {
        TargetConnection tc = broker.issue(grant("req-ro", AccessLevel.READ_ONLY, null));

        assertThat(tc.user()).matches("lockbox_g_[0-9a-f]{16}");
        assertThat(tc.password()).hasSize(32).matches("[A-Za-z0-9]+");
        try (Connection c = login(tc)) {
            assertThat(count(c, "orders")).isEqualTo(2);
            assertThat(count(c, "customers")).isEqualTo(1);
            assertThatThrownBy(() -> execute(c, "INSERT INTO orders VALUES (3, 'plum', 1)")).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> execute(c, "UPDATE orders SET qty = 0")).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> execute(c, "DELETE FROM orders")).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> execute(c, "CREATE TABLE intruder (id INT)")).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> execute(c, "DROP TABLE customers")).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> execute(c, "CREATE USER intruder PASSWORD 'x'")).isInstanceOf(SQLException.class);
        }
        try (Connection admin = target.admin()) {
            assertThat(count(admin, "orders")).isEqualTo(2);
            assertThat(count(admin, "customers")).isEqualTo(1);
        }
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(Kind.USER_CREATED);
            assertThat(e.requestId()).isEqualTo("req-ro");
            assertThat(e.environment()).isEqualTo(ENV);
            assertThat(e.dbUser()).isEqualTo(tc.user());
            assertThat(e.detail()).startsWith("user " + tc.user() + " created with SELECT on schema ");
            assertThat(e.toHistoryEntry().actor()).isEqualTo("broker");
            assertThat(e.toHistoryEntry().action()).isEqualTo("user_created");
        });
    }

    @Test
    void scopedUserReadsOnlyItsTables() throws Exception {
        TargetConnection tc = broker.issue(grant("req-scoped", AccessLevel.READ_ONLY, List.of("ORDERS")));

        try (Connection c = login(tc)) {
            assertThat(count(c, "orders")).isEqualTo(2);
            assertThatThrownBy(() -> count(c, "customers")).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> count(c, "\"MixedCase\"")).isInstanceOf(SQLException.class);
        }
        assertThat(events.get(0).detail()).contains("SELECT on ").containsIgnoringCase(".orders").doesNotContainIgnoringCase("customers");
    }

    @Test
    void scopeNamesAreResolvedFromTheCatalogAndQuoted() throws Exception {
        // The request says mixedcase; the table is "MixedCase" (a quoted, case-sensitive name).
        TargetConnection tc = broker.issue(grant("req-mixed", AccessLevel.READ_ONLY, List.of("mixedcase")));

        try (Connection c = login(tc)) {
            assertThat(count(c, "\"MixedCase\"")).isEqualTo(1);
            assertThatThrownBy(() -> count(c, "orders")).isInstanceOf(SQLException.class);
        }
    }

    @Test
    void scopeTableThatDoesNotExistIsRefusedAndLeavesNoUser() throws Exception {
        Set<String> before = target.userNames();

        assertThatThrownBy(() -> broker.issue(grant("req-missing", AccessLevel.READ_ONLY, List.of("orders", "no_such_table"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no_such_table").hasMessageContaining("does not exist");

        assertThat(target.userNames()).isEqualTo(before);
        assertThat(events).isEmpty();
        // Nothing was recorded either: the same request can be issued once the scope is right.
        TargetConnection tc = broker.issue(grant("req-missing", AccessLevel.READ_ONLY, List.of("orders")));
        try (Connection c = login(tc)) {
            assertThat(count(c, "orders")).isEqualTo(2);
        }
    }

    @Test
    void readWriteUserChangesRowsButNotTheSchemaOrUsers() throws Exception {
        TargetConnection tc = broker.issue(grant("req-rw", AccessLevel.READ_WRITE, null));

        try (Connection c = login(tc)) {
            execute(c, "INSERT INTO orders VALUES (3, 'plum', 1)");
            execute(c, "UPDATE orders SET qty = 9 WHERE id = 1");
            execute(c, "DELETE FROM customers WHERE id = 1");
            assertThat(count(c, "orders")).isEqualTo(3);
            assertThatThrownBy(() -> execute(c, "CREATE TABLE intruder (id INT)")).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> execute(c, "ALTER TABLE orders ADD COLUMN extra INT")).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> execute(c, "DROP TABLE customers")).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> execute(c, "CREATE USER intruder PASSWORD 'x'")).isInstanceOf(SQLException.class);
        }
        try (Connection admin = target.admin()) {
            assertThat(count(admin, "orders")).isEqualTo(3);
            assertThat(count(admin, "customers")).isZero();
        }
        assertThat(events.get(0).detail()).contains("SELECT, INSERT, UPDATE, DELETE on schema ");
    }

    @Test
    void scopedReadWriteUserWritesOnlyItsTables() throws Exception {
        TargetConnection tc = broker.issue(grant("req-rw-scoped", AccessLevel.READ_WRITE, List.of("orders")));

        try (Connection c = login(tc)) {
            execute(c, "UPDATE orders SET qty = 1");
            assertThatThrownBy(() -> execute(c, "DELETE FROM customers")).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> execute(c, "INSERT INTO customers VALUES (2, 'Bob')")).isInstanceOf(SQLException.class);
        }
    }

    @Test
    void revokeKillsOpenSessionsAndTheLogin() throws Exception {
        TargetConnection tc = broker.issue(grant("req-kill", AccessLevel.READ_ONLY, null));
        Connection first = login(tc);
        Connection second = login(tc);
        assertThat(count(first, "orders")).isEqualTo(2);

        broker.revoke("req-kill");

        assertThatThrownBy(() -> count(first, "orders")).isInstanceOf(SQLException.class);
        assertThatThrownBy(() -> count(second, "orders")).isInstanceOf(SQLException.class);
        assertThatThrownBy(() -> login(tc).close()).isInstanceOf(SQLException.class);
        assertThat(userOnTarget(tc)).isFalse();
        assertThat(events).extracting(BrokerEvent::kind).containsExactly(Kind.USER_CREATED, Kind.SESSIONS_ENDED, Kind.USER_DROPPED);
        assertThat(events.get(1).detail()).isEqualTo("2 sessions of user " + tc.user() + " ended");
        assertThat(events.get(2).detail()).isEqualTo("user " + tc.user() + " dropped");
        first.close();
        second.close();
    }

    @Test
    void revokeIsIdempotentAndARevokedGrantIsNeverIssuedAgain() throws Exception {
        TargetConnection tc = broker.issue(grant("req-twice", AccessLevel.READ_ONLY, null));
        broker.revoke("req-twice");
        int eventsAfterFirstRevoke = events.size();

        broker.revoke("req-twice");
        broker.revoke("never-issued");

        assertThat(events).hasSize(eventsAfterFirstRevoke);
        assertThatThrownBy(() -> broker.issue(grant("req-twice", AccessLevel.READ_ONLY, null)))
                .isInstanceOf(BrokerException.class).hasMessageContaining("never issued again");
        assertThat(userOnTarget(tc)).isFalse();
    }

    @Test
    void issueIsIdempotentPerRequest() throws Exception {
        TargetConnection first = broker.issue(grant("req-same", AccessLevel.READ_ONLY, null));
        TargetConnection again = broker.issue(grant("req-same", AccessLevel.READ_ONLY, null));
        TargetConnection other = broker.issue(grant("req-other", AccessLevel.READ_ONLY, null));

        assertThat(again).isEqualTo(first);
        assertThat(other.user()).isNotEqualTo(first.user());
        assertThat(other.password()).isNotEqualTo(first.password());
        assertThat(events).filteredOn(e -> e.kind() == Kind.USER_CREATED).hasSize(2);
        try (Connection c = login(again)) {
            assertThat(count(c, "orders")).isEqualTo(2);
        }
    }

    @Test
    void concurrentIssuesOfOneGrantCreateOneUser() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<TargetConnection>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Callable<TargetConnection> call = () -> {
                    go.await();
                    return broker.issue(grant("req-race", AccessLevel.READ_ONLY, null));
                };
                results.add(pool.submit(call));
            }
            go.countDown();
            TargetConnection first = results.get(0).get(30, TimeUnit.SECONDS);
            for (Future<TargetConnection> f : results) assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(first);
            assertThat(events).filteredOn(e -> e.kind() == Kind.USER_CREATED).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void reconcileDropsUsersOfEndedGrantsAndLeftoversButKeepsActiveOnes() throws Exception {
        TargetConnection active = broker.issue(grant("req-active", AccessLevel.READ_ONLY, null));
        TargetConnection ended = broker.issue(grant("req-ended", AccessLevel.READ_ONLY, null));
        Connection endedSession = login(ended);
        // A user of the broker's shape that no record knows (e.g. made by a server whose store was lost),
        // and one that only looks similar and must be left alone.
        GrantUserName stray = GrantUserName.forRequest("lost-request");
        String strayStored = target.database().dialect().storedName(stray);
        String lookalike = target.database().dialect().storedName(stray).replace(stray.value(), "lockbox_g_not_a_grant")
                .replace(stray.value().toUpperCase(java.util.Locale.ROOT), "LOCKBOX_G_NOT_A_GRANT");
        target.adminExecute("CREATE USER \"" + strayStored + "\" PASSWORD 'Abcdefgh12345678'",
                "CREATE USER \"" + lookalike + "\" PASSWORD 'Abcdefgh12345678'");
        clock.advance(Duration.ofMinutes(1));
        events.clear();

        ReconcileReport report = broker.reconcile(Set.of("req-active"));

        assertThat(report.revokedRequests()).containsExactly("req-ended");
        assertThat(report.droppedLeftovers()).containsExactly(ENV + ":" + stray);
        assertThat(report.failures()).isEmpty();
        assertThatThrownBy(() -> count(endedSession, "orders")).isInstanceOf(SQLException.class);
        assertThat(userOnTarget(ended)).isFalse();
        assertThat(target.userNames()).doesNotContain(strayStored).contains(lookalike);
        try (Connection c = login(active)) {
            assertThat(count(c, "orders")).isEqualTo(2);
        }
        assertThat(events).filteredOn(e -> "req-ended".equals(e.requestId())).extracting(BrokerEvent::kind)
                .containsExactly(Kind.SESSIONS_ENDED, Kind.USER_DROPPED);
        assertThat(events).filteredOn(e -> e.requestId() == null).singleElement()
                .satisfies(e -> assertThat(e.detail()).contains(stray.value()).contains("left over"));
        endedSession.close();
        target.adminExecute("DROP USER \"" + lookalike + "\"");
    }

    @Test
    void reconcileLeavesGrantsIssuedAfterItStartedAlone() throws Exception {
        // Issued "now": a reconciliation computed from an older list of active grants must not kill it.
        TargetConnection fresh = broker.issue(grant("req-fresh", AccessLevel.READ_ONLY, null));

        ReconcileReport report = broker.reconcile(Set.of());

        assertThat(report.revokedRequests()).isEmpty();
        assertThat(report.droppedLeftovers()).isEmpty();
        try (Connection c = login(fresh)) {
            assertThat(count(c, "orders")).isEqualTo(2);
        }
    }

    @Test
    void configuredSchemaIsLookedUpNotSplicedIntoSql() throws Exception {
        TargetDatabase odd = target.database().withSchema("public\"; DROP TABLE orders; --");
        CredentialBroker oddBroker = new CredentialBroker(store, TargetDirectory.of(odd), clock, events::add);
        try {
            assertThatThrownBy(() -> oddBroker.issue(grant("req-odd-schema", AccessLevel.READ_ONLY, null)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not exist on the target");
        } finally {
            oddBroker.close();
        }
        try (Connection admin = target.admin()) {
            assertThat(count(admin, "orders")).isEqualTo(2);
        }
        assertThat(target.userNames()).noneMatch(n -> n.equalsIgnoreCase(GrantUserName.forRequest("req-odd-schema").value()));
    }

    @Test
    void grantWhoseWindowEndedIsRefused() {
        GrantSpec over = new GrantSpec("req-late", ENV, AccessLevel.READ_ONLY, null, clock.instant().minusSeconds(1));

        assertThatThrownBy(() -> broker.issue(over)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ended");
        assertThat(events).isEmpty();
    }

    @Test
    void environmentWithoutTargetIsRefused() {
        GrantSpec elsewhere = new GrantSpec("req-elsewhere", "billing", AccessLevel.READ_ONLY, null, null);

        assertThatThrownBy(() -> broker.issue(elsewhere)).isInstanceOf(BrokerException.class)
                .hasMessageContaining("'billing' has no target database");
    }

    @Test
    void sameRequestForAnotherEnvironmentIsRefused() {
        broker.issue(grant("req-env", AccessLevel.READ_ONLY, null));
        CredentialBroker twoTargets = new CredentialBroker(store, TargetDirectory.of(target.database(),
                new TargetDatabase("other", target.database().jdbcUrl(), target.database().adminUser(),
                        target.database().adminSecret(), null)), clock, events::add);
        try {
            assertThatThrownBy(() -> twoTargets.issue(new GrantSpec("req-env", "other", AccessLevel.READ_ONLY, null, null)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was issued for environment 'shop'");
        } finally {
            twoTargets.close();
        }
    }

    @Test
    void revocationOfAGrantEndsOnlyThatGrantsSessions() throws Exception {
        TargetConnection a = broker.issue(grant("req-a", AccessLevel.READ_ONLY, null));
        TargetConnection b = broker.issue(grant("req-b", AccessLevel.READ_ONLY, null));
        try (Connection sa = login(a); Connection sb = login(b)) {
            broker.revoke("req-a");

            assertThatThrownBy(() -> count(sa, "orders")).isInstanceOf(SQLException.class);
            assertThat(count(sb, "orders")).isEqualTo(2);
        }
    }

}

package dev.lockbox.server.broker;

import java.time.Instant;
import dev.lockbox.server.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockbox.api.grant.TargetConnection;
import dev.lockbox.api.request.AccessLevel;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** The broker's record on a PostgreSQL store (the shared store of several replicas), with an H2 target. */
class PostgresStoreTest {
    final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T09:00:00Z"));
    PostgresTestDatabase storeDb;
    H2TestTarget target;
    PGSimpleDataSource store;

    @BeforeEach
    void setUp() {
        storeDb = PostgresTestDatabase.create();
        store = new PGSimpleDataSource();
        store.setURL(storeDb.jdbcUrl());
        store.setUser(storeDb.user());
        store.setPassword(storeDb.password());
        Flyway.configure().dataSource(store).locations("classpath:db/migration/broker").load().migrate();
        target = H2TestTarget.start("shop");
    }

    @AfterEach
    void tearDown() {
        if (target != null) target.close();
        if (storeDb != null) storeDb.close();
    }

    @Test
    void twoReplicasShareOneRecordPerGrant() throws Exception {
        GrantSpec grant = new GrantSpec("req-pg", "shop", AccessLevel.READ_ONLY, null, clock.instant().plus(Duration.ofHours(1)));
        try (CredentialBroker one = new CredentialBroker(store, TargetDirectory.of(target.database()), clock, BrokerEventListener.NONE);
             CredentialBroker two = new CredentialBroker(store, TargetDirectory.of(target.database()), clock, BrokerEventListener.NONE)) {
            TargetConnection issued = one.issue(grant);

            assertThat(two.issue(grant)).isEqualTo(issued);
            try (Connection c = target.login(issued.user(), issued.password())) {
                assertThat(c.isValid(5)).isTrue();
            }

            two.revoke("req-pg");
            one.revoke("req-pg");

            assertThatThrownBy(() -> target.login(issued.user(), issued.password()).close()).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> one.issue(grant)).isInstanceOf(BrokerException.class).hasMessageContaining("never issued again");
            clock.advance(Duration.ofMinutes(1));
            assertThat(one.reconcile(Set.of()).revokedRequests()).isEmpty();
        }
    }
}

package dev.lockbox.server.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lockbox.api.admin.EnvironmentSpec;
import dev.lockbox.api.grant.TargetConnection;
import dev.lockbox.api.request.AccessLevel;
import dev.lockbox.api.request.AccessRequest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link BrokeredGrantContract} on an H2 target over TCP, its admin password read from an environment variable. */
class H2BrokeredGrantTest extends BrokeredGrantContract {
    /** Set by the surefire configuration of this module (pom.xml). */
    static final String SECRET_VARIABLE = "LOCKBOX_TEST_TARGET_ADMIN_PASSWORD";

    @Override
    TestTarget startTarget(String environment) {
        return H2TestTarget.start(environment, adminSecret());
    }

    @Override
    EnvironmentSpec environmentSpec(TestTarget target) {
        return EnvironmentSpec.broker(ENV, "Sales", target.database().jdbcUrl(), List.of("alice"), H2TestTarget.ADMIN, null, SECRET_VARIABLE);
    }

    /**
     * The target is unreachable when the grant is revoked: the revocation fails (history:
     * revoke_failed), the user stays recorded as live, and the server retries after 1 s, 2 s, 4 s…
     * (logged), not only at the next reconciliation a minute later. Once the target listens again
     * on the same port, a retry kills nothing left and drops the user (history: user_dropped,
     * revoke_retried), and the credentials no longer log in.
     */
    @Test
    void aRevocationThatFailsIsRetriedWithBackoffUntilTheTargetIsBack() throws Exception {
        H2TestTarget h2 = (H2TestTarget) target;
        AccessRequest r = approved(AccessLevel.READ_ONLY, null);
        TargetConnection t = connect("bob");
        login(t).close();

        h2.goDown();
        lb.decide("alice", r.id(), "revoke");
        assertThat(history(r.id())).last().satisfies(e -> {
            assertThat(e.action()).isEqualTo("revoke_failed");
            assertThat(e.comment()).startsWith("could not drop user " + t.user()).endsWith("retried until it is dropped");
        });
        assertThat(credentialState(r.id())).as("the user counts as live until it is dropped").isEqualTo("ISSUED");
        // Retries 1 (after 1 s) and 2 (2 s later) find the target still down, each failing within its 2 s connect timeout.
        await().atMost(Duration.ofSeconds(30)).until(() -> logLines().stream().anyMatch(l ->
                l.contains("retry 2 of the revocation of request " + r.id() + " failed") && l.contains("next retry in 4 s")));
        assertThat(logLines()).anySatisfy(l -> assertThat(l).contains("retry 1 of the revocation of request " + r.id() + " failed")
                .contains("next retry in 2 s"));
        assertThat(credentialState(r.id())).isEqualTo("ISSUED");

        h2.comeBack();
        long back = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).until(() -> actions(r.id()).contains("revoke_retried"));
        assertThat(Duration.ofNanos(System.nanoTime() - back)).as("well before the next reconciliation (every minute)")
                .isLessThan(Duration.ofSeconds(30));
        assertThat(actions(r.id())).containsSubsequence("revoke", "revoke_failed", "user_dropped", "revoke_retried");
        assertThat(history(r.id())).last().satisfies(e -> assertThat(e.comment())
                .matches("user " + t.user() + " dropped by retry [3-9] of its revocation, \\d+ s after the first attempt failed"));
        assertThat(actions(r.id()).stream().filter("revoke_failed"::equals)).as("the same failure recorded once").hasSize(1);
        assertThat(credentialState(r.id())).isEqualTo("REVOKED");
        assertThat(userExists(t.user())).isFalse();
        assertThatThrownBy(() -> login(t)).isInstanceOf(SQLException.class);
        assertNoSecretLeaked(t.password());
    }

    private String credentialState(String requestId) throws SQLException {
        try (Connection c = lb.server.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT state FROM broker_credential WHERE request_id = ?")) {
            ps.setString(1, requestId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    @Override
    String adminSecret() {
        String secret = System.getenv(SECRET_VARIABLE);
        if (secret == null) fail(SECRET_VARIABLE + " is not set; run the tests with Maven (approval-server/pom.xml sets it)");
        return secret;
    }
}

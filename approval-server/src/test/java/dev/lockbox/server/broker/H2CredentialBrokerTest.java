package dev.lockbox.server.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockbox.api.grant.TargetConnection;
import dev.lockbox.api.request.AccessLevel;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** The broker against an H2 target reached over TCP. */
class H2CredentialBrokerTest extends CredentialBrokerContract {
    @Override
    TestTarget startTarget(String environment) {
        return H2TestTarget.start(environment);
    }

    @Test
    void issuedPasswordIsChecked() throws Exception {
        TargetConnection tc = broker.issue(grant("req-pw", AccessLevel.READ_ONLY, null));

        assertThatThrownBy(() -> target.login(tc.user(), tc.password() + "x").close()).isInstanceOf(SQLException.class);
        try (Connection c = target.login(tc.user(), tc.password())) {
            assertThat(count(c, "orders")).isEqualTo(2);
        }
    }

    @Test
    void grantUserHasNoAdminRightsOnH2() throws Exception {
        TargetConnection tc = broker.issue(grant("req-admin", AccessLevel.READ_WRITE, null));

        try (Connection c = target.login(tc.user(), tc.password())) {
            // Administrative commands and file functions need ADMIN on H2.
            assertThatThrownBy(() -> execute(c, "CREATE ALIAS evil FOR 'java.lang.System.getenv'")).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> execute(c, "SCRIPT TO 'dump.sql'")).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> execute(c, "ALTER USER SA SET PASSWORD 'x'")).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> execute(c, "GRANT SELECT ON orders TO PUBLIC")).isInstanceOf(SQLException.class);
        }
    }

    @Test
    void userThatChangedItsOwnPasswordIsStillCutOff() throws Exception {
        TargetConnection tc = broker.issue(grant("req-selfpw", AccessLevel.READ_ONLY, null));
        Connection first = target.login(tc.user(), tc.password());
        // H2 lets every user change its own password; the broker must not depend on knowing it.
        execute(first, "ALTER USER " + tc.user().toUpperCase() + " SET PASSWORD 'MineNowMineForever1'");
        Connection second = target.login(tc.user(), "MineNowMineForever1");

        broker.revoke("req-selfpw");

        assertThatThrownBy(() -> count(first, "orders")).isInstanceOf(SQLException.class);
        assertThatThrownBy(() -> count(second, "orders")).isInstanceOf(SQLException.class);
        assertThatThrownBy(() -> target.login(tc.user(), "MineNowMineForever1").close()).isInstanceOf(SQLException.class);
        first.close();
        second.close();
    }
}

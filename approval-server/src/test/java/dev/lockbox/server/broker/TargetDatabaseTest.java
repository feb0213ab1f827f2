package dev.lockbox.server.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockbox.server.broker.TargetDatabase.AdminSecret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TargetDatabaseTest {
    @ParameterizedTest
    @ValueSource(strings = {"jdbc:postgresql://127.0.0.1:5432/shop?user=postgres", "jdbc:postgresql://h/shop?ssl=true&password=x",
            "jdbc:h2:tcp://127.0.0.1/mem:shop;USER=sa", "jdbc:h2:mem:shop;Password=x", "jdbc:postgresql://h/shop?USER = sa"})
    void urlCarryingCredentialsIsRefusedBecauseEngineersReceiveIt(String url) {
        assertThatThrownBy(() -> TargetDatabase.of("shop", url, "admin", "secret"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("engineers receive this URL");
    }

    @Test
    void unsupportedTargetIsRefused() {
        assertThatThrownBy(() -> TargetDatabase.of("shop", "jdbc:mysql://127.0.0.1/shop?useSSL=true", "admin", "secret"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("H2 (jdbc:h2:) and PostgreSQL (jdbc:postgresql:)")
                .hasMessageContaining("jdbc:mysql://127.0.0.1/shop'");
    }

    @Test
    void toStringNeverShowsTheAdminPassword() {
        TargetDatabase t = TargetDatabase.of("shop", "jdbc:postgresql://127.0.0.1/shop", "admin", "hunter2-very-secret");

        assertThat(t.toString()).doesNotContain("hunter2").contains("adminSecret=***");
        assertThat(t.adminSecret().toString()).isEqualTo("***");
    }

    @Test
    void passwordFromAnEnvironmentVariableIsReadWhenNeeded() {
        AdminSecret path = AdminSecret.fromEnvironmentVariable("PATH");
        AdminSecret missing = AdminSecret.fromEnvironmentVariable("LOCKBOX_TEST_NO_SUCH_VARIABLE_42");

        assertThat(path.resolve()).isEqualTo(System.getenv("PATH"));
        assertThat(path.toString()).isEqualTo("env:PATH");
        assertThatThrownBy(missing::resolve).isInstanceOf(BrokerException.class)
                .hasMessage("environment variable LOCKBOX_TEST_NO_SUCH_VARIABLE_42 (a target admin password) is not set");
        assertThatThrownBy(() -> AdminSecret.fromEnvironmentVariable("A-B; rm"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an environment variable name");
    }
}

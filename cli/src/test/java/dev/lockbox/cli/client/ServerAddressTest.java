package dev.lockbox.cli.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockbox.cli.sql.LockboxUrl;
import org.junit.jupiter.api.Test;

class ServerAddressTest {
    @Test
    void acceptsBareHostPortAndTrailingSlashes() {
        assertThat(ServerAddress.parse("127.0.0.1:8470").toString()).isEqualTo("http://127.0.0.1:8470");
        assertThat(ServerAddress.parse(" https://lockbox.example.com// ").toString()).isEqualTo("https://lockbox.example.com");
        assertThat(ServerAddress.parse("https://lockbox.example.com").port()).isEqualTo(443);
    }

    @Test
    void refusesWhatIsNotABaseUrl() {
        for (String bad : new String[] {"ftp://host:21", "http://", "http://user:pw@host:1", "http://host:1/?x=1", "http://host:1/#f", "  "}) {
            assertThatThrownBy(() -> ServerAddress.parse(bad)).as(bad).isInstanceOf(CliException.class);
        }
    }

    @Test
    void buildsTheLockboxJdbcUrl() {
        assertThat(LockboxUrl.of(ServerAddress.parse("http://127.0.0.1:8470"), "sales-prod"))
                .isEqualTo("jdbc:lockbox://127.0.0.1:8470/sales-prod");
        assertThat(LockboxUrl.of(ServerAddress.parse("https://lockbox.example.com"), "crm"))
                .isEqualTo("jdbc:lockbox://lockbox.example.com:443/crm?ssl=true");
        // An environment name cannot smuggle properties or another path into the URL.
        for (String bad : new String[] {"Sales", "a/b", "crm?ssl=false", "", "-x"}) {
            assertThatThrownBy(() -> LockboxUrl.of(ServerAddress.parse("http://h:1"), bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void tokensAreNeverShownInFull() {
        assertThat(ApiTokens.masked("Zk3q9fJx0aLmP2sT7uVw8yBc")).isEqualTo("Zk3q…");
        assertThat(ApiTokens.masked("short")).isEqualTo("…");
        assertThat(ApiTokens.masked(null)).isEqualTo("(none)");
        assertThat(new ServerCredentials(ServerAddress.parse("h:1"), "Zk3q9fJx0aLmP2sT7uVw8yBc").toString())
                .doesNotContain("9fJx0aLmP2sT7uVw8yBc");
    }
}

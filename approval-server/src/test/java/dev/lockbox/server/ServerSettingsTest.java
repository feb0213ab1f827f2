package dev.lockbox.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Flags win over LOCKBOX_* variables, which win over the properties file, which wins over defaults. */
class ServerSettingsTest {
    @Test
    void layersResolveInOrder() {
        Properties file = new Properties();
        file.setProperty("port", "9000");
        file.setProperty("request-ttl", "PT1H");
        file.setProperty("smtp-host", "mail.file");
        ServerConfig c = new ServerSettings(Map.of("port", "0"),
                Map.of("LOCKBOX_PORT", "9100", "LOCKBOX_SMTP_HOST", "mail.env", "LOCKBOX_ADMIN_TOKEN", "x".repeat(32)), file).toConfig();
        assertThat(c.port()).isZero();
        assertThat(c.smtp().host()).isEqualTo("mail.env");
        assertThat(c.requestTtl()).isEqualTo(Duration.ofHours(1));
        assertThat(c.maxAccessPeriod()).isEqualTo(Duration.ofHours(8));
        assertThat(c.recentWindow()).isEqualTo(Duration.ofDays(28));
        assertThat(c.outcomeTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.dataDir()).isEqualTo(Path.of("data"));
        assertThat(c.effectiveStoreUrl()).startsWith("jdbc:h2:file:").endsWith("lockbox;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE;LOCK_TIMEOUT=10000;QUERY_CACHE_SIZE=256");
        assertThat(c.toString()).doesNotContain("x".repeat(32));
    }

    @Test
    void aPostgresStoreComesFromTheEnvironmentAndItsPasswordIsNeverPrinted() {
        ServerConfig c = new ServerSettings(Map.of(), Map.of("LOCKBOX_STORE_URL", "jdbc:postgresql://db.internal:5432/lockbox?password=url-secret&ssl=true",
                "LOCKBOX_STORE_USER", "lockbox", "LOCKBOX_STORE_PASSWORD", "env-secret"), new Properties()).toConfig();
        assertThat(c.effectiveStoreUrl()).isEqualTo("jdbc:postgresql://db.internal:5432/lockbox?password=url-secret&ssl=true");
        assertThat(c.storeUser()).isEqualTo("lockbox");
        assertThat(c.storePassword()).isEqualTo("env-secret");
        assertThat(c.toString()).contains("jdbc:postgresql://db.internal:5432/lockbox?password=***&ssl=true", "storeUser=lockbox")
                .doesNotContain("url-secret").doesNotContain("env-secret");
    }

    @Test
    void theAuditJournalIsOffByDefaultOnForH2AndRefusedWithPostgres() {
        assertThat(new ServerSettings(Map.of(), Map.of(), new Properties()).toConfig().auditJournal()).isFalse();
        Properties file = new Properties();
        file.setProperty("audit-journal", "on");
        ServerConfig on = new ServerSettings(Map.of(), Map.of(), file).toConfig();
        assertThat(on.auditJournal()).isTrue();
        assertThat(on.toString()).contains("auditJournal=on");
        assertThat(new ServerSettings(Map.of("audit-journal", "false"), Map.of("LOCKBOX_AUDIT_JOURNAL", "true"), file)
                .toConfig().auditJournal()).isFalse();
        assertThat(new ServerSettings(Map.of(), Map.of(), file).toConfig().withStore("jdbc:h2:mem:x", "sa", "").auditJournal())
                .isTrue();
        assertThatThrownBy(() -> new ServerSettings(Map.of("audit-journal", "yes"), Map.of(), new Properties()).toConfig())
                .hasMessageContaining("audit-journal").hasMessageContaining("yes");
        assertThatThrownBy(() -> new ServerSettings(Map.of("audit-journal", "on"),
                Map.of("LOCKBOX_STORE_URL", "jdbc:postgresql://db.internal:5432/lockbox"), new Properties()).toConfig())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("audit journal").hasMessageContaining("PostgreSQL");
    }

    @Test
    void badValuesAreRefusedWithTheSettingName() {
        assertThatThrownBy(() -> new ServerSettings(Map.of("max-access-period", "8 hours"), Map.of(), new Properties()).toConfig())
                .hasMessageContaining("max-access-period");
        assertThatThrownBy(() -> new ServerSettings(Map.of("request-ttl", "-PT1H"), Map.of(), new Properties()).toConfig())
                .hasMessageContaining("requestTtl");
        assertThatThrownBy(() -> new ServerSettings(Map.of("admin-token", "short"), Map.of(), new Properties()).toConfig())
                .hasMessageContaining("128 bits");
    }
}

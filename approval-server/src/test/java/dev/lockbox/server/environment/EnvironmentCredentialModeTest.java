package dev.lockbox.server.environment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockbox.api.admin.CredentialMode;
import dev.lockbox.api.admin.Environment;
import dev.lockbox.api.admin.EnvironmentSpec;
import dev.lockbox.server.testing.TestServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Credential modes of environments over HTTP: what is refused (400, nothing stored) and what is never returned. */
class EnvironmentCredentialModeTest {
    private static final String URL = "jdbc:h2:tcp://127.0.0.1:9/mem:sales";
    private static final String SECRET = "admin-pw-that-must-not-come-back-91c2";

    @TempDir
    Path dir;
    TestServer lb;

    @BeforeEach
    void start() {
        lb = new TestServer(dir).withCast();
    }

    @AfterEach
    void stop() {
        if (lb != null) lb.close(); // null when the PostgreSQL run is skipped
    }

    @Test
    void brokerEnvironmentKeepsItsAdminSecretWriteOnly() throws SQLException {
        String created = lb.api.post(TestServer.ADMIN_TOKEN, "/api/environments",
                EnvironmentSpec.broker("sales", "Sales", URL, List.of("alice"), "SA", SECRET, null)).expect(201).body();
        assertThat(created).doesNotContain(SECRET);
        Environment e = lb.api.get(lb.token("alice"), "/api/environments/sales").expect(200).as(Environment.class);
        assertThat(e.credentialMode()).isEqualTo(CredentialMode.BROKER);
        assertThat(e.adminUser()).isEqualTo("SA");
        assertThat(e.adminSecretEnv()).isNull();
        assertThat(e.hasTargetCredentials()).isTrue();
        assertThat(lb.api.get(TestServer.ADMIN_TOKEN, "/api/environments").expect(200).body()).doesNotContain(SECRET).contains("\"broker\"");

        // A PUT without credentials keeps mode and admin secret; stored value checked in the table.
        lb.api.put(TestServer.ADMIN_TOKEN, "/api/environments/sales", new EnvironmentSpec("sales", "Sales 2", URL, List.of("alice"),
                null, null, null)).expect(200);
        assertThat(row("credential_mode")).isEqualTo("BROKER");
        assertThat(row("admin_password")).isEqualTo(SECRET);

        // Switching to static forgets the admin secret.
        lb.api.put(TestServer.ADMIN_TOKEN, "/api/environments/sales", new EnvironmentSpec("sales", "Sales", URL, List.of("alice"),
                null, "support_ro", "ro-pw", CredentialMode.STATIC, null, null, null, null)).expect(200);
        assertThat(row("admin_user")).isNull();
        assertThat(row("admin_password")).isNull();
        assertThat(row("target_user")).isEqualTo("support_ro");
    }

    @Test
    void existingEnvironmentsStayStatic() {
        Environment e = lb.api.get(TestServer.ADMIN_TOKEN, "/api/environments/" + TestServer.ENV).expect(200).as(Environment.class);
        assertThat(e.credentialMode()).isEqualTo(CredentialMode.STATIC);
        assertThat(e.hasTargetCredentials()).isTrue();
        assertThat(e.adminUser()).isNull();
    }

    @Test
    void badCredentialSettingsAreRefusedWithTheFieldAndNothingIsStored() {
        refused(EnvironmentSpec.broker("sales", null, URL, List.of(), null, SECRET, null), "adminUser");
        refused(EnvironmentSpec.broker("sales", null, URL, List.of(), null, null, null), "adminUser");
        refused(EnvironmentSpec.broker("sales", null, URL, List.of(), "SA", null, null), "adminSecretEnv");
        refused(EnvironmentSpec.broker("sales", null, URL, List.of(), "SA", SECRET, "SOME_VAR"), "adminSecretEnv");
        refused(EnvironmentSpec.broker("sales", null, URL, List.of(), "SA", null, "NOT-A-NAME"), "adminSecretEnv");
        refused(EnvironmentSpec.broker("sales", null, URL, List.of(), "SA", null, "LOCKBOX_SURELY_UNSET_VARIABLE_4711"), "adminSecretEnv");
        refused(EnvironmentSpec.broker("sales", null, URL, List.of(), "SA", "", null), "adminPassword");
        refused(EnvironmentSpec.broker("sales", null, "jdbc:mysql://db/sales", List.of(), "SA", SECRET, null), "jdbcUrl");
        refused(EnvironmentSpec.broker("sales", null, "jdbc:postgresql://db/sales?user=postgres&password=x", List.of(), "SA", SECRET, null), "jdbcUrl");
        refused(new EnvironmentSpec("sales", null, URL, List.of(), null, "ro", "pw", CredentialMode.BROKER, "SA", SECRET, null, null), "targetUser");
        refused(new EnvironmentSpec("sales", null, URL, List.of(), null, null, null, CredentialMode.BROKER, "SA", SECRET, null, "bad;schema"), "targetSchema");
        refused(new EnvironmentSpec("sales", null, URL, List.of(), null, "ro", "pw", CredentialMode.STATIC, "SA", SECRET, null, null), "adminUser");
        refused(new EnvironmentSpec("sales", null, URL, List.of(), null, null, null, null, null, null, null, "public"), "targetSchema");
        lb.api.send("POST", TestServer.ADMIN_TOKEN, "/api/environments",
                "{\"name\":\"sales\",\"jdbcUrl\":\"" + URL + "\",\"credentialMode\":\"magic\"}").expect(400);
        lb.api.get(TestServer.ADMIN_TOKEN, "/api/environments/sales").expect(404);
    }

    @Test
    void theTargetOfABrokerEnvironmentCannotMoveUnderAnOpenRequest() {
        lb.api.post(TestServer.ADMIN_TOKEN, "/api/environments", EnvironmentSpec.broker("sales", "Sales", URL, List.of("alice"), "SA", SECRET, null))
                .expect(201);
        lb.api.post(lb.token("bob"), "/api/requests", new dev.lockbox.api.request.NewAccessRequest("sales", "T-1", "why",
                dev.lockbox.api.request.AccessLevel.READ_ONLY, Duration.ofHours(1), null)).expect(201);
        var e = lb.api.put(TestServer.ADMIN_TOKEN, "/api/environments/sales", new EnvironmentSpec("sales", "Sales", URL.replace("sales", "other"),
                List.of("alice"), null, null, null)).expect(409).error();
        assertThat(e.message()).contains("open request");
        assertThat(lb.api.get(TestServer.ADMIN_TOKEN, "/api/environments/sales").expect(200).as(Environment.class).jdbcUrl()).isEqualTo(URL);
    }

    private void refused(EnvironmentSpec spec, String field) {
        var error = lb.api.post(TestServer.ADMIN_TOKEN, "/api/environments", spec).expect(400).error();
        assertThat(error.error()).isEqualTo("invalid");
        assertThat(error.message()).as(spec.toString()).startsWith(field);
        assertThat(error.message()).doesNotContain(SECRET);
    }

    /** A column of environment {@code sales} as stored. */
    private String row(String column) throws SQLException {
        try (Connection c = lb.server.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + column + " FROM environments WHERE name = 'sales'");
             ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }
}

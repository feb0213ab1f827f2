package dev.lockbox.cli.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockbox.api.admin.EnvironmentSpec;
import dev.lockbox.api.admin.NewUser;
import dev.lockbox.api.admin.Role;
import dev.lockbox.api.request.AccessLevel;
import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.api.request.NewAccessRequest;
import dev.lockbox.cli.CliRun;
import dev.lockbox.cli.client.ExitCode;
import dev.lockbox.cli.client.LockboxClient;
import dev.lockbox.cli.client.LockboxClient.DecisionVerb;
import dev.lockbox.cli.client.ServerAddress;
import dev.lockbox.cli.client.ServerCredentials;
import dev.lockbox.fixtures.SampleDatabase;
import dev.lockbox.server.LockboxServer;
import dev.lockbox.server.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lockbox sql}: sqlline in this JVM, through the real lockbox driver, against a real server
 * and the sample H2 database. The engineer types no URL; the token travels as the JDBC password.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SqlCommandTest {
    private static final String ADMIN_TOKEN = "sql-test-admin-token-0123456789";

    @TempDir
    static Path dir;
    SampleDatabase database;
    LockboxServer server;
    LockboxClient admin;
    String bob;
    String alice;

    @BeforeAll
    void start() throws Exception {
        database = SampleDatabase.inMemory("sql-command-test").populate(50);
        server = LockboxServer.start(ServerConfig.defaults().withPort(0).withDataDir(dir.resolve("data"))
                .withAdminToken(ADMIN_TOKEN), Clock.systemUTC());
        admin = client(ADMIN_TOKEN);
        alice = admin.createUser(new NewUser("alice", List.of(Role.APPROVER), null, null)).token();
        bob = admin.createUser(new NewUser("bob", List.of(Role.ENGINEER), null, null)).token();
        for (String env : List.of("crm", "crm-pending")) {
            admin.createEnvironment(new EnvironmentSpec(env, null, database.jdbcUrl(), List.of("alice"), null,
                    database.engineerUser(), database.engineerPassword()));
        }
        AccessRequest r = client(bob).createRequest(new NewAccessRequest("crm", "CAS-1", "read accounts", AccessLevel.READ_ONLY,
                Duration.ofHours(1), null));
        client(alice).decide(r.id(), DecisionVerb.APPROVE, null);
        client(bob).createRequest(new NewAccessRequest("crm-pending", "CAS-2", "later", AccessLevel.READ_ONLY, Duration.ofHours(1), null));
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) server.close();
        if (database != null) database.close();
    }

    LockboxClient client(String token) {
        return new LockboxClient(new ServerCredentials(ServerAddress.parse(server.baseUrl()), token));
    }

    CliRun sql(String... args) {
        CliRun run = CliRun.run(dir.resolve("home"), Map.of("LOCKBOX_SERVER", server.baseUrl(), "LOCKBOX_TOKEN", bob), args);
        assertThat(run.all()).as("the token is never printed").doesNotContain(bob);
        return run;
    }

    @Test
    void runsAStatementThroughTheDriverWithoutTypingAUrl() {
        CliRun run = sql("sql", "--env", "crm", "--command", "SELECT COUNT(*) AS accounts FROM AccountBase");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.err()).contains("Lockbox: READ_ONLY access to crm until").contains("ticket CAS-1");
        assertThat(run.out()).contains("ACCOUNTS").contains("50");
    }

    @Test
    void runsAScriptAndTheDriverRefusesItsWriteAndTheDatabaseIsUnchanged() throws Exception {
        Path script = dir.resolve("fix.sql");
        Files.writeString(script, "SELECT AccountNumber FROM AccountBase WHERE AccountNumber = 'ACC-000007';\n"
                + "UPDATE AccountBase SET Name = 'hacked' WHERE AccountNumber = 'ACC-000007';\n");

        CliRun run = sql("sql", "--env", "crm", "--file", script.toString());

        assertThat(run.all()).as(run.toString()).contains("ACC-000007").contains("read-only grant");
        assertThat(run.exitCode()).isNotZero();
        try (var c = database.openAdminConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM AccountBase WHERE Name = 'hacked'")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }

    @Test
    void withoutAnApprovedGrantSqllineIsNeverStartedAndTheReasonIsShown() {
        CliRun pending = sql("sql", "--env", "crm-pending", "--command", "SELECT 1");
        assertThat(pending.exitCode()).isEqualTo(ExitCode.REFUSED);
        assertThat(pending.err()).contains("pending").doesNotContain("sqlline");
        assertThat(pending.out()).isEmpty();

        CliRun unknown = sql("sql", "--env", "no-such-env", "--command", "SELECT 1");
        assertThat(unknown.exitCode()).isEqualTo(ExitCode.REFUSED);
    }

    @Test
    void refusesCommandAndFileTogether() {
        CliRun run = sql("sql", "--env", "crm", "--command", "SELECT 1", "--file", "x.sql");
        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).contains("not both");
    }
}

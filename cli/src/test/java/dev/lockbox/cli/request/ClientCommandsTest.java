package dev.lockbox.cli.request;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockbox.api.admin.EnvironmentSpec;
import dev.lockbox.api.admin.NewUser;
import dev.lockbox.api.admin.Role;
import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.api.request.RequestStatus;
import dev.lockbox.cli.CliRun;
import dev.lockbox.cli.client.ExitCode;
import dev.lockbox.cli.client.LockboxClient;
import dev.lockbox.cli.client.ServerAddress;
import dev.lockbox.cli.client.ServerCredentials;
import dev.lockbox.server.LockboxServer;
import dev.lockbox.server.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client commands in-process against a real approval server on loopback (port 0, H2 file
 * store in a temp dir): engineer {@code bob}, approver {@code alice}, second engineer {@code carol}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientCommandsTest {
    private static final String ADMIN_TOKEN = "cli-test-admin-token-0123456789";
    private static final Pattern REQUEST_LINE = Pattern.compile("Request (\\S+)  (\\w+)");

    @TempDir
    static Path dir;
    LockboxServer server;
    LockboxClient admin;
    final Map<String, String> tokens = new HashMap<>();
    final List<CliRun> runs = new ArrayList<>();
    int envCounter;

    @BeforeAll
    void startServer() {
        server = LockboxServer.start(ServerConfig.defaults().withPort(0).withDataDir(dir.resolve("data"))
                .withAdminToken(ADMIN_TOKEN), Clock.systemUTC());
        admin = new LockboxClient(new ServerCredentials(ServerAddress.parse(server.baseUrl()), ADMIN_TOKEN));
        tokens.put("alice", admin.createUser(new NewUser("alice", List.of(Role.APPROVER), "alice@example.com", null)).token());
        tokens.put("bob", admin.createUser(new NewUser("bob", List.of(Role.ENGINEER), "bob@example.com", null)).token());
        tokens.put("carol", admin.createUser(new NewUser("carol", List.of(Role.ENGINEER), null, null)).token());
    }

    @AfterAll
    void stopServer() {
        if (server != null) server.close();
    }

    @AfterEach
    void noTokenIsEverPrintedInFull() {
        for (CliRun run : runs) {
            for (String token : tokens.values()) {
                assertThat(run.all()).as("output of a command").doesNotContain(token);
            }
        }
        runs.clear();
    }

    /** A fresh environment per test: an engineer has at most one open request per environment. */
    String freshEnv() {
        String env = "crm-" + (++envCounter);
        admin.createEnvironment(new EnvironmentSpec(env, "CRM " + envCounter, "jdbc:h2:mem:" + env, List.of("alice"), null,
                "engineer", "pw"));
        return env;
    }

    Map<String, String> as(String user) {
        return Map.of("LOCKBOX_SERVER", server.baseUrl(), "LOCKBOX_TOKEN", tokens.get(user));
    }

    CliRun cli(Map<String, String> vars, String... args) {
        CliRun run = CliRun.run(dir.resolve("home"), vars, args);
        runs.add(run);
        return run;
    }

    static String requestId(CliRun run) {
        Matcher m = REQUEST_LINE.matcher(run.out());
        assertThat(m.find()).as("request line in\n" + run).isTrue();
        return m.group(1);
    }

    @Test
    void engineerRequestsApproverApprovesAndRevokesWithTheHistoryShown() {
        String env = freshEnv();
        CliRun filed = cli(as("bob"), "request", "--env", env, "--ticket", "CAS-01234", "--justification", "invoice totals wrong",
                "--period", "PT2H", "--scope", "AccountBase,IncidentBase");
        assertThat(filed.exitCode()).as(filed.toString()).isZero();
        assertThat(filed.out()).contains("Request filed. The approvers of " + env + " have been notified.")
                .contains("PENDING (Action needed)").contains("READ_ONLY for PT2H, tables AccountBase, IncidentBase")
                .contains("./lockbox status ");
        String id = requestId(filed);

        CliRun status = cli(as("bob"), "status", id);
        assertThat(status.exitCode()).isZero();
        assertThat(status.out()).contains("Request " + id + "  PENDING").contains("CAS-01234").contains("History:").contains("create");

        CliRun approved = cli(as("alice"), "approve", id, "-m", "ok for CAS-01234");
        assertThat(approved.exitCode()).as(approved.toString()).isZero();
        assertThat(approved.out()).contains("Request " + id + " is now APPROVED (Approved).").contains("decided        by alice")
                .contains("access window").contains("\"ok for CAS-01234\"");
        AccessRequest stored = admin.request(id);
        assertThat(stored.status()).isEqualTo(RequestStatus.APPROVED);
        assertThat(stored.accessExpiresAt()).isEqualTo(stored.accessStartsAt().plus(Duration.ofHours(2)));

        CliRun revoked = cli(as("alice"), "revoke", id, "--comment", "done");
        assertThat(revoked.exitCode()).isZero();
        assertThat(revoked.out()).contains("is now REVOKED (Revoked)");
        assertThat(cli(as("bob"), "status", id).out()).contains("approve").contains("revoke").contains("\"done\"");
    }

    @Test
    void aRequesterCannotApproveItsOwnRequestAndNothingChanges() {
        String env = freshEnv();
        String id = requestId(cli(as("bob"), "request", "-e", env, "-t", "T-9", "-j", "check"));

        CliRun self = cli(as("bob"), "approve", id);
        assertThat(self.exitCode()).isEqualTo(ExitCode.REFUSED);
        assertThat(self.err()).startsWith("lockbox: ").contains("never decides its own request");
        CliRun stranger = cli(as("carol"), "approve", id);
        assertThat(stranger.exitCode()).isEqualTo(ExitCode.REFUSED);
        assertThat(admin.request(id).status()).isEqualTo(RequestStatus.PENDING);
    }

    @Test
    void denyAndCancelEndInTheirStatusAndALaterDecisionIsAWrongStateError() {
        String env = freshEnv();
        String denied = requestId(cli(as("bob"), "request", "-e", env, "-t", "T-1", "-j", "x"));
        CliRun deny = cli(as("alice"), "deny", denied, "-m", "use the staging copy");
        assertThat(deny.exitCode()).isZero();
        assertThat(deny.out()).contains("DENIED (Denied)").contains("use the staging copy");

        CliRun late = cli(as("alice"), "approve", denied);
        assertThat(late.exitCode()).isEqualTo(ExitCode.REFUSED);
        assertThat(late.err()).contains("is DENIED");
        assertThat(admin.request(denied).status()).isEqualTo(RequestStatus.DENIED);

        String cancelled = requestId(cli(as("bob"), "request", "-e", env, "-t", "T-2", "-j", "y"));
        CliRun notYours = cli(as("carol"), "cancel", cancelled);
        assertThat(notYours.exitCode()).isEqualTo(ExitCode.REFUSED);
        CliRun cancel = cli(as("bob"), "cancel", cancelled);
        assertThat(cancel.exitCode()).isZero();
        assertThat(cancel.out()).contains("CANCELLED (Cancelled)");
    }

    @Test
    void serverSideValidationErrorsAreShownAndStoreNothing() {
        String env = freshEnv();
        CliRun unknown = cli(as("bob"), "request", "-e", "no-such-env", "-t", "T-1", "-j", "x");
        assertThat(unknown.exitCode()).isEqualTo(ExitCode.REFUSED);
        assertThat(unknown.err()).contains("unknown environment no-such-env");

        CliRun tooLong = cli(as("bob"), "request", "-e", env, "-t", "T-1", "-j", "x", "--period", "PT9H");
        assertThat(tooLong.exitCode()).isEqualTo(ExitCode.REFUSED);
        assertThat(tooLong.err()).contains("PT9H is over the maximum of PT8H");

        CliRun badScope = cli(as("bob"), "request", "-e", env, "-t", "T-1", "-j", "x", "--scope", "AccountBase;DROP TABLE x");
        assertThat(badScope.exitCode()).isEqualTo(ExitCode.REFUSED);
        assertThat(badScope.err()).contains("is not a table name");

        CliRun approverCannotRequest = cli(as("alice"), "request", "-e", env, "-t", "T-1", "-j", "x");
        assertThat(approverCannotRequest.exitCode()).isEqualTo(ExitCode.REFUSED);

        assertThat(admin.recentRequests(null, env, null)).isEmpty();
        assertThat(admin.recentRequests(null, "no-such-env", null)).isEmpty();
    }

    @Test
    void statusListsRecentRequestsFilteredByEnvironmentAndStatus() {
        String env = freshEnv();
        String id = requestId(cli(as("bob"), "request", "-e", env, "-t", "CAS-777", "-j", "x"));
        CliRun list = cli(as("bob"), "status", "--env", env);
        assertThat(list.exitCode()).isZero();
        assertThat(list.out()).contains("ID").contains("STATUS").contains(id).contains("CAS-777").contains("PENDING");

        CliRun approvedOnly = cli(as("bob"), "status", "--env", env, "--status", "APPROVED");
        assertThat(approvedOnly.out()).contains("No requests in this period.").doesNotContain(id);

        CliRun others = cli(as("carol"), "status", "--env", env);
        assertThat(others.out()).as("carol sees only her own requests").doesNotContain(id);

        CliRun unknown = cli(as("bob"), "status", "no-such-request-id");
        assertThat(unknown.exitCode()).isEqualTo(ExitCode.REFUSED);
        assertThat(unknown.err()).contains("no access request no-such-request-id");
    }

    @Test
    void loginChecksTheTokenThenSavesItForLaterCommandsWithMode600() throws Exception {
        Path config = dir.resolve("login-config");
        Map<String, String> onlyConfig = Map.of("LOCKBOX_CONFIG", config.toString());

        CliRun bad = CliRun.withInput(dir.resolve("home"), onlyConfig, "not-a-valid-token-0000000000\n", "login", "--server", server.baseUrl());
        runs.add(bad);
        assertThat(bad.exitCode()).isEqualTo(ExitCode.REFUSED);
        assertThat(bad.err()).contains("the API token is not valid");
        assertThat(config).doesNotExist();

        // The token is read from standard input (a pipe), as a script would log in.
        CliRun good = CliRun.withInput(dir.resolve("home"), onlyConfig, tokens.get("bob") + "\n", "login", "--server", server.baseUrl());
        runs.add(good);
        assertThat(good.exitCode()).as(good.toString()).isZero();
        assertThat(good.out()).contains("Logged in to " + server.baseUrl() + " with token " + tokens.get("bob").substring(0, 4) + "…");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config))).isEqualTo("rw-------");

        String env = freshEnv();
        CliRun filed = cli(onlyConfig, "request", "-e", env, "-t", "T-1", "-j", "from the config file");
        assertThat(filed.exitCode()).as(filed.toString()).isZero();
        assertThat(admin.request(requestId(filed)).requester()).isEqualTo("bob");

        // A variable wins over the file, a flag over both.
        Map<String, String> carolByVariable = new HashMap<>(onlyConfig);
        carolByVariable.put("LOCKBOX_TOKEN", tokens.get("carol"));
        assertThat(admin.request(requestId(cli(carolByVariable, "request", "-e", env, "-t", "T-2", "-j", "x"))).requester())
                .isEqualTo("carol");
        CliRun flag = cli(carolByVariable, "status", "--token", "wrong-token-0123456789abc");
        assertThat(flag.exitCode()).isEqualTo(ExitCode.REFUSED);
        assertThat(flag.err()).contains("the API token is not valid");
    }
}

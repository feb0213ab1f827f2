package dev.lockbox.cli.demo;

import static dev.lockbox.cli.demo.StoryLog.check;

import dev.lockbox.api.admin.Environment;
import dev.lockbox.api.admin.LockboxPolicy;
import dev.lockbox.api.admin.PolicyMode;
import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.request.AccessLevel;
import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.api.request.NewAccessRequest;
import dev.lockbox.api.request.RequestHistoryEntry;
import dev.lockbox.api.request.RequestStatus;
import dev.lockbox.cli.client.LockboxClient;
import dev.lockbox.cli.client.LockboxClient.DecisionVerb;
import dev.lockbox.cli.demo.StoryLog.StepFailed;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/**
 * The lockbox story, step by step, against the real pieces of {@link DemoStage}: the engineer's
 * connections go through the real driver ({@code DriverManager} and {@code jdbc:lockbox://}), the
 * approver's mail through real SMTP, the audit trail through the exporter into Parquet.
 */
final class DemoStory {
    static final String TICKET = "CAS-01042";
    static final int STEPS = 11;
    /** A write that the READ_ONLY grant must refuse; the row it targets is checked afterwards. */
    private static final String WRITE = "UPDATE AccountBase SET Revenue = 0 WHERE AccountNumber = 'ACC-000042'";

    private final DemoStage stage;
    private final StoryLog log;
    private final Duration window;
    private final LakeReview lake;
    private AccessRequest request;
    /** The database user the credential broker created for bob's grant. */
    private String grantUser;
    private Connection session;

    DemoStory(DemoStage stage, PrintStream out, Duration window, LakeReview lake) {
        this.stage = stage;
        this.log = new StoryLog(out, STEPS);
        this.window = window;
        this.lake = lake;
    }

    /** Tells the whole story; true when every step did what it says. */
    boolean tell() {
        try {
            log.step("The lockbox policy protects " + DemoStage.ENVIRONMENT, this::policyProtects);
            log.step("bob (engineer) requests READ_ONLY access for support ticket " + TICKET, this::engineerRequests);
            log.step("The approver's e-mail arrives", this::approverMailArrives);
            log.step("A connection before approval is refused by the lockbox driver", this::connectionRefusedBeforeApproval);
            log.step("alice (approver) approves; the server creates a database user for this grant", this::approverApproves);
            log.step("bob connects through jdbc:lockbox:// and runs queries", this::engineerRunsQueries);
            log.step("A write is refused: the grant is READ_ONLY", this::writeRefused);
            log.step("The access window ends: the open connection is cut, the grant's user dropped", this::windowEndsAndConnectionIsCut);
            log.step("The audit export writes Parquet to the lake", this::exportWritesParquet);
            log.step("verify recomputes the hash chain over the lake", this::verifyPasses);
            log.step("show prints what bob did", this::showPrintsWhatTheEngineerDid);
        } finally {
            closeQuietly();
        }
        return log.allPassed();
    }

    StoryLog log() {
        return log;
    }

    private String policyProtects() throws StepFailed {
        LockboxClient admin = stage.as("admin");
        LockboxPolicy policy = admin.putPolicy(new LockboxPolicy(PolicyMode.SELECTED, List.of(DemoStage.ENVIRONMENT)));
        log.detail("admin: PUT /api/policy " + policy.mode() + " " + policy.environments());
        Environment env = admin.environment(DemoStage.ENVIRONMENT);
        log.detail(env.name() + " (" + env.displayName() + ") → " + env.jdbcUrl() + ", approvers " + env.approvers());
        check(env.protectedByPolicy(), "the server says " + env.name() + " is not protected by the policy");
        return env.name() + " is protected: access needs an approved lockbox request";
    }

    private String engineerRequests() throws StepFailed {
        request = stage.as("bob").createRequest(new NewAccessRequest(DemoStage.ENVIRONMENT, TICKET,
                "Customer reports incident CAS-00042 shows the wrong account; need to read the account and its contacts",
                AccessLevel.READ_ONLY, window, null));
        log.detail("$ ./lockbox request --env " + DemoStage.ENVIRONMENT + " --ticket " + TICKET + " --level READ_ONLY --period " + window
                + " --justification \"…\"");
        log.detail("request " + request.id() + ": " + request.status() + " (" + request.status().consoleLabel() + "), expires "
                + request.requestExpiresAt().truncatedTo(ChronoUnit.SECONDS) + " unless decided");
        check(request.status() == RequestStatus.PENDING, "expected PENDING, the server answered " + request.status());
        return "request " + request.id() + " is pending, waiting for alice";
    }

    private String approverMailArrives() throws Exception {
        check(stage.smtp.awaitMessages(1, 30_000), "no mail reached the SMTP sink within 30 s");
        printNewMail();
        MimeMessage mail = stage.smtp.messages().get(0);
        String body = String.valueOf(mail.getContent());
        check(String.join(",", List.of(mail.getAllRecipients()).stream().map(Object::toString).toList()).contains("alice@contoso.example"),
                "the first mail was not sent to alice");
        check(body.contains(request.id()), "the mail does not name request " + request.id());
        return "alice was told about request " + request.id() + " by e-mail";
    }

    private String connectionRefusedBeforeApproval() throws StepFailed {
        log.detail("DriverManager.getConnection(\"" + stage.lockboxUrl() + "\", \"bob\", <bob's token>)");
        try (Connection c = DriverManager.getConnection(stage.lockboxUrl(), "bob", stage.user("bob").token())) {
            throw new StepFailed("the driver connected before approval");
        } catch (SQLException e) {
            log.detail("SQLException, SQLState " + e.getSQLState() + ":");
            log.detail("  " + e.getMessage());
            check("28000".equals(e.getSQLState()), "expected SQLState 28000 (no grant), got " + e.getSQLState());
        }
        return "refused with SQLState 28000: no approved grant yet";
    }

    private String approverApproves() throws Exception {
        request = stage.as("alice").decide(request.id(), DecisionVerb.APPROVE, "OK for " + TICKET + ", read only");
        log.detail("$ ./lockbox approve " + request.id() + " --comment \"OK for " + TICKET + ", read only\"");
        check(request.status() == RequestStatus.APPROVED, "expected APPROVED, the server answered " + request.status());
        log.detail("access window " + request.accessStartsAt().truncatedTo(ChronoUnit.SECONDS) + " → "
                + request.accessExpiresAt().truncatedTo(ChronoUnit.SECONDS) + " (" + window + ")");
        RequestHistoryEntry created = brokerEntry("user_created", Duration.ofSeconds(10));
        log.detail("credential broker: " + created.comment());
        grantUser = created.comment().split(" ")[1];
        check(grantUser.matches("lockbox_g_[0-9a-f]{16}"), "the broker's entry names no grant user: " + created.comment());
        check(stage.databaseUsers().contains(grantUser.toUpperCase(Locale.ROOT)), grantUser + " is not on the sample database");
        if (stage.smtp.awaitMessages(2, 10_000)) printNewMail();
        return "approved by alice; access until " + request.accessExpiresAt().truncatedTo(ChronoUnit.SECONDS)
                + "; database user " + grantUser + " created for this grant only";
    }

    private String engineerRunsQueries() throws Exception {
        session = DriverManager.getConnection(stage.lockboxUrl(), "bob", stage.user("bob").token());
        String loggedIn = session.getMetaData().getUserName();
        log.detail("the driver logged in to the database as " + loggedIn + " (credentials handed over at connect; bob never sees them)");
        check(grantUser.equalsIgnoreCase(loggedIn), "the driver logged in as " + loggedIn + ", not as the grant's user " + grantUser);
        int rows = 0;
        try (Statement s = session.createStatement()) {
            rows += query(s, "SELECT COUNT(*) AS accounts FROM AccountBase");
            rows += query(s, "SELECT a.AccountNumber, a.Name, i.TicketNumber, i.Title FROM IncidentBase i"
                    + " JOIN AccountBase a ON a.AccountId = i.CustomerId WHERE i.TicketNumber = 'CAS-00042'");
        }
        String sql = "SELECT FirstName, LastName, EMailAddress1 FROM ContactBase"
                + " WHERE ParentCustomerId = (SELECT AccountId FROM AccountBase WHERE AccountNumber = ?)";
        try (PreparedStatement ps = session.prepareStatement(sql)) {
            ps.setString(1, "ACC-000042");
            log.detail("sql> " + sql + "   [? = 'ACC-000042']");
            try (ResultSet rs = ps.executeQuery()) {
                rows += print(rs);
            }
        }
        check(rows >= 4, "the queries returned only " + rows + " rows");
        return "3 queries answered through the driver, each audited before it ran";
    }

    private String writeRefused() throws Exception {
        log.detail("sql> " + WRITE);
        try (Statement s = session.createStatement()) {
            s.executeUpdate(WRITE);
            throw new StepFailed("the driver let the UPDATE through");
        } catch (SQLException e) {
            log.detail("SQLException, SQLState " + e.getSQLState() + ": " + e.getMessage());
            check("42501".equals(e.getSQLState()), "expected SQLState 42501 (insufficient privilege), got " + e.getSQLState());
        }
        try (Connection admin = stage.database.openAdminConnection();
                Statement s = admin.createStatement();
                ResultSet rs = s.executeQuery("SELECT Revenue FROM AccountBase WHERE AccountNumber = 'ACC-000042'")) {
            check(rs.next() && rs.getBigDecimal(1).signum() != 0, "the row's Revenue was changed in the database");
        }
        return "refused with SQLState 42501 and audited as DENIED; the database row is unchanged";
    }

    private String windowEndsAndConnectionIsCut() throws Exception {
        Instant end = request.accessExpiresAt();
        long waitMs = Duration.between(Instant.now(), end).toMillis();
        if (waitMs > 0) {
            log.detail("waiting " + (waitMs + 999) / 1000 + " s for the window to end at " + end.truncatedTo(ChronoUnit.SECONDS) + " …");
            Thread.sleep(waitMs);
        }
        // Nobody acts: the driver's grant watch and the server's scheduler end the session on their own.
        Instant deadline = end.plusSeconds(10);
        while (!session.isClosed() && Instant.now().isBefore(deadline)) Thread.sleep(50);
        double cutAfter = Duration.between(end, Instant.now()).toMillis() / 1000.0;
        String refusal;
        try (Statement s = session.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM ContactBase")) {
            throw new StepFailed("a query still ran " + cutAfter + " s after the window ended");
        } catch (SQLException e) {
            refusal = e.getMessage();
        }
        log.detail("open connection: " + (session.isClosed() ? "closed" : "refusing statements") + String.format(" %.1f s", cutAfter)
                + " after the window ended; a query now fails: " + refusal);
        try (Connection c = DriverManager.getConnection(stage.lockboxUrl(), "bob", stage.user("bob").token())) {
            throw new StepFailed("a new connection was accepted after the window ended");
        } catch (SQLException e) {
            log.detail("new connection: SQLState " + e.getSQLState() + ": " + e.getMessage());
            check("28000".equals(e.getSQLState()), "expected SQLState 28000 for a new connection, got " + e.getSQLState());
        }
        RequestHistoryEntry dropped = brokerEntry("user_dropped", Duration.ofSeconds(10));
        log.detail("credential broker: " + dropped.comment());
        check(dropped.comment().equals("user " + grantUser + " dropped"), "the broker dropped another user: " + dropped.comment());
        check(!stage.databaseUsers().contains(grantUser.toUpperCase(Locale.ROOT)), grantUser + " is still on the sample database");
        return String.format("the session was cut %.1f s after the window ended; new connections are refused; user %s dropped",
                cutAfter, grantUser);
    }

    private String exportWritesParquet() throws Exception {
        List<AuditEvent> events = awaitSealedStatements();
        log.detail(events.size() + " audit events recorded under request " + request.id() + " (sealed in the hash chain)");
        LakeReview.Export export = lake.export(stage);
        for (String line : export.lines()) log.detail(line);
        check(export.succeeded(), "the export failed");
        check(export.files() > 0, "no Parquet file was written");
        check(export.rows() >= events.size(), "the lake holds " + export.rows() + " rows, fewer than the " + events.size() + " events");
        return export.files() + " Parquet file(s), " + export.rows() + " rows, under " + stage.lakeDir().resolve("sql_audit");
    }

    private String verifyPasses() throws Exception {
        LakeReview.Run run = lake.verify(stage);
        for (String line : run.lines()) log.detail(line);
        check(run.exitCode() == 0, "verify exited " + run.exitCode());
        return "the hash chain over the exported rows is intact";
    }

    private String showPrintsWhatTheEngineerDid() throws Exception {
        LakeReview.Run run = lake.show(stage, "bob");
        for (String line : run.lines()) log.detail(line);
        check(run.exitCode() == 0, "show exited " + run.exitCode());
        check(run.lines().stream().anyMatch(l -> l.contains("AccountBase")), "show did not print bob's statements");
        return "bob's statements, allowed and denied, read back from Parquet";
    }

    /** The credential broker's history entry {@code action} on the request, waited for (bounded). */
    private RequestHistoryEntry brokerEntry(String action, Duration wait) throws Exception {
        Instant deadline = Instant.now().plus(wait);
        while (true) {
            for (RequestHistoryEntry e : stage.as("admin").request(request.id()).history()) {
                if ("broker".equals(e.actor()) && action.equals(e.action())) return e;
            }
            if (Instant.now().isAfter(deadline)) throw new StepFailed("no '" + action + "' by the credential broker in the request's history");
            Thread.sleep(100);
        }
    }

    /** The statements' events are sealed once their outcomes arrive; wait for them (bounded). */
    private List<AuditEvent> awaitSealedStatements() throws Exception {
        Instant deadline = Instant.now().plusSeconds(30);
        List<AuditEvent> events;
        while (true) {
            events = stage.as("audra").requestAudit(request.id());
            long selects = events.stream().filter(e -> "SELECT".equals(e.action()) && "ALLOWED".equals(e.decision())).count();
            boolean denied = events.stream().anyMatch(e -> "DENIED".equals(e.decision()));
            if (selects >= 3 && denied) return events;
            if (Instant.now().isAfter(deadline)) {
                throw new StepFailed("after 30 s the server holds " + selects + " sealed SELECT events (3 expected)"
                        + (denied ? "" : " and no DENIED event"));
            }
            Thread.sleep(200);
        }
    }

    private int query(Statement s, String sql) throws SQLException {
        log.detail("sql> " + sql);
        try (ResultSet rs = s.executeQuery(sql)) {
            return print(rs);
        }
    }

    private int print(ResultSet rs) throws SQLException {
        ResultTable.Rendered t = ResultTable.render(rs, 5);
        for (String line : t.lines()) log.detail("  " + line);
        return t.rows();
    }

    private void printNewMail() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (PrintStream p = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            stage.smtp.printNew(p);
        }
        for (String line : buffer.toString(StandardCharsets.UTF_8).split("\\R")) log.detail(line.strip().isEmpty() ? "" : line.substring(2));
    }

    private void closeQuietly() {
        if (session != null) {
            try {
                session.close();
            } catch (SQLException ignored) {
                // already cut by the driver
            }
        }
    }
}

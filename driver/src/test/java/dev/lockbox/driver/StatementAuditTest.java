package dev.lockbox.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lockbox.api.audit.ActionClass;
import dev.lockbox.api.audit.AuditEventSubmission;
import dev.lockbox.api.audit.AuditOutcome;
import dev.lockbox.api.audit.Decision;
import dev.lockbox.driver.testing.LockboxFixture;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every execute path is audited, and the server acknowledged the event before the database saw the
 * statement: at acknowledgement time the rows are not there yet; afterwards they are, and the
 * outcome (rows affected) follows.
 */
class StatementAuditTest {
    private LockboxFixture fx;
    /** Rows in orders at the moment each event was acknowledged, by event id. */
    private final Map<String, Long> rowsAtAck = new ConcurrentHashMap<>();

    @BeforeEach
    void setUp() throws SQLException {
        fx = new LockboxFixture();
        fx.server.beforeAck = batch -> {
            for (AuditEventSubmission e : batch.events()) {
                rowsAtAck.put(e.eventId(), fx.count(null));
            }
        };
    }

    @AfterEach
    void tearDown() throws SQLException {
        fx.close();
    }

    @FunctionalInterface
    interface Path {
        void run(Connection c) throws SQLException;
    }

    static final String INSERT = "INSERT INTO orders(customer, amount) VALUES ('p', 1)";
    static final String INSERT_P = "INSERT INTO orders(customer, amount) VALUES (?, ?)";

    static Stream<Arguments> writePaths() {
        return Stream.of(
                path("Statement.execute", 1, c -> st(c).execute(INSERT)),
                path("Statement.execute(keys)", 1, c -> st(c).execute(INSERT, Statement.RETURN_GENERATED_KEYS)),
                path("Statement.execute(int[])", 1, c -> st(c).execute(INSERT, new int[] {1})),
                path("Statement.execute(String[])", 1, c -> st(c).execute(INSERT, new String[] {"ID"})),
                path("Statement.executeUpdate", 1, c -> st(c).executeUpdate(INSERT)),
                path("Statement.executeUpdate(keys)", 1, c -> st(c).executeUpdate(INSERT, Statement.RETURN_GENERATED_KEYS)),
                path("Statement.executeUpdate(int[])", 1, c -> st(c).executeUpdate(INSERT, new int[] {1})),
                path("Statement.executeUpdate(String[])", 1, c -> st(c).executeUpdate(INSERT, new String[] {"ID"})),
                path("Statement.executeLargeUpdate", 1, c -> st(c).executeLargeUpdate(INSERT)),
                path("Statement.executeLargeUpdate(keys)", 1, c -> st(c).executeLargeUpdate(INSERT, Statement.NO_GENERATED_KEYS)),
                path("Statement.executeLargeUpdate(int[])", 1, c -> st(c).executeLargeUpdate(INSERT, new int[] {1})),
                path("Statement.executeLargeUpdate(String[])", 1, c -> st(c).executeLargeUpdate(INSERT, new String[] {"ID"})),
                path("Statement.executeBatch", 2, c -> {
                    Statement s = st(c);
                    s.addBatch(INSERT);
                    s.addBatch(INSERT);
                    s.executeBatch();
                }),
                path("Statement.executeLargeBatch", 2, c -> {
                    Statement s = st(c);
                    s.addBatch(INSERT);
                    s.addBatch(INSERT);
                    s.executeLargeBatch();
                }),
                path("multi-statement string", 2, c -> st(c).execute(INSERT + "; " + INSERT)),
                path("PreparedStatement.executeUpdate", 1, c -> bound(c.prepareStatement(INSERT_P)).executeUpdate()),
                path("PreparedStatement.execute", 1, c -> bound(c.prepareStatement(INSERT_P)).execute()),
                path("PreparedStatement.executeLargeUpdate", 1, c -> bound(c.prepareStatement(INSERT_P)).executeLargeUpdate()),
                path("PreparedStatement(keys)", 1, c -> bound(c.prepareStatement(INSERT_P, Statement.RETURN_GENERATED_KEYS)).executeUpdate()),
                path("PreparedStatement(int[])", 1, c -> bound(c.prepareStatement(INSERT_P, new int[] {1})).executeUpdate()),
                path("PreparedStatement(String[])", 1, c -> bound(c.prepareStatement(INSERT_P, new String[] {"ID"})).executeUpdate()),
                path("PreparedStatement(type, concurrency)", 1, c -> bound(c.prepareStatement(INSERT_P,
                        ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)).executeUpdate()),
                path("PreparedStatement.executeBatch", 3, c -> {
                    PreparedStatement ps = c.prepareStatement(INSERT_P);
                    for (int i = 0; i < 3; i++) {
                        bound(ps).addBatch();
                    }
                    ps.executeBatch();
                }),
                path("PreparedStatement.executeLargeBatch", 3, c -> {
                    PreparedStatement ps = c.prepareStatement(INSERT_P);
                    for (int i = 0; i < 3; i++) {
                        bound(ps).addBatch();
                    }
                    ps.executeLargeBatch();
                }),
                path("CallableStatement.executeUpdate", 1, c -> {
                    CallableStatement cs = c.prepareCall(INSERT_P);
                    bound(cs).executeUpdate();
                }),
                path("CallableStatement.execute", 1, c -> bound(c.prepareCall(INSERT_P)).execute()));
    }

    private static Arguments path(String name, int rows, Path p) {
        return Arguments.of(name, rows, p);
    }

    private static Statement st(Connection c) throws SQLException {
        return c.createStatement();
    }

    private static <T extends PreparedStatement> T bound(T ps) throws SQLException {
        ps.setString(1, "p");
        ps.setInt(2, 1);
        return ps;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writePaths")
    void everyWritePathIsAuditedBeforeItRuns(String name, int rows, Path path) throws Exception {
        try (Connection c = fx.connect()) {
            path.run(c);
        }
        assertThat(fx.count(null)).isEqualTo(rows);
        List<AuditEventSubmission> events = fx.server.events(Decision.ALLOWED);
        assertThat(events).isNotEmpty();
        for (AuditEventSubmission e : events) {
            assertThat(e.action()).contains("INSERT");
            assertThat(e.actionClass()).isEqualTo(ActionClass.WRITE);
            assertThat(e.objects()).anySatisfy(o -> assertThat(o).isEqualToIgnoringCase("orders"));
            assertThat(e.requestId()).isEqualTo(fx.server.requestId);
            assertThat(e.dbUser()).isEqualTo("sa");
            assertThat(rowsAtAck).as("acknowledged before the row existed").containsEntry(e.eventId(), 0L);
        }
        // outcomes are flushed at close at the latest
        long reported = 0;
        for (AuditEventSubmission e : events) {
            AuditOutcome o = fx.server.outcomeOf(e.eventId());
            assertThat(o).as("outcome of " + e.statement()).isNotNull();
            assertThat(o.succeeded()).isTrue();
            assertThat(o.durationMs()).isGreaterThanOrEqualTo(0);
            if (o.rowsAffected() != null) {
                reported += o.rowsAffected();
            }
        }
        if (!name.startsWith("multi")) {
            assertThat(reported).isEqualTo(rows);
        }
    }

    @Test
    void preparedStatementRecordsBoundValuesPerExecution() throws Exception {
        try (Connection c = fx.connect(); PreparedStatement ps = c.prepareStatement(INSERT_P)) {
            ps.setString(1, "ada \"quoted\"");
            ps.setInt(2, 7);
            ps.executeUpdate();
            ps.setNull(1, java.sql.Types.VARCHAR);
            ps.setLong(2, 8L);
            ps.executeUpdate();
            ps.setString(1, "x");
            ps.setBytes(2, new byte[] {1, 2});
            ps.clearParameters();
            ps.setString(1, "y");
            ps.setInt(2, 9);
            ps.addBatch();
            ps.setString(1, "z");
            ps.setInt(2, 10);
            ps.addBatch();
            ps.executeBatch();
        }
        List<String> params = fx.server.events(Decision.ALLOWED).stream().map(AuditEventSubmission::parameters).toList();
        assertThat(params).containsExactly("[\"ada \\\"quoted\\\"\",7]", "[null,8]", "[[\"y\",9],[\"z\",10]]");
        assertThat(fx.count(null)).isEqualTo(4);
    }

    @Test
    void readsAreAuditedWithTheirOutcome() throws Exception {
        try (Connection c = fx.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT name FROM customers ORDER BY id")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("ada");
        }
        AuditEventSubmission e = fx.server.events(Decision.ALLOWED).get(0);
        assertThat(e.action()).isEqualTo("SELECT");
        assertThat(e.actionClass()).isEqualTo(ActionClass.READ);
        assertThat(e.statement()).isEqualTo("SELECT name FROM customers ORDER BY id");
        assertThat(e.parameters()).isNull();
        assertThat(e.sessionId()).isNotBlank();
        assertThat(fx.server.outcomeOf(e.eventId()).succeeded()).isTrue();
    }

    @Test
    void failedStatementsReportTheirError() throws Exception {
        try (Connection c = fx.connect(); Statement s = c.createStatement()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                    () -> s.executeUpdate("INSERT INTO orders(id, customer) VALUES (1, 'a'), (1, 'b')"))
                    .isInstanceOf(SQLException.class);
        }
        AuditEventSubmission e = fx.server.events(Decision.ALLOWED).get(0);
        AuditOutcome o = fx.server.outcomeOf(e.eventId());
        assertThat(o.succeeded()).isFalse();
        assertThat(o.error()).contains("23505");
        assertThat(fx.count(null)).isZero();
    }

    @Test
    void outcomesAreFlushedWithoutWaitingForClose() throws Exception {
        try (Connection c = fx.connect(); Statement s = c.createStatement()) {
            s.executeUpdate(INSERT);
            String id = fx.server.events(Decision.ALLOWED).get(0).eventId();
            await().atMost(Duration.ofSeconds(10)).until(() -> fx.server.outcomeOf(id) != null);
            assertThat(fx.server.outcomeOf(id).rowsAffected()).isEqualTo(1L);
        }
    }

    @Test
    void jdbcEscapesAreClassifiedAsTheDatabaseRunsThem() throws Exception {
        fx.server.accessLevel = dev.lockbox.api.request.AccessLevel.READ_ONLY;
        try (Connection c = fx.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT {fn UCASE(name)} FROM customers WHERE id = 1")) {
            assertThat(rs.next()).isTrue();
        } catch (SQLException e) {
            // refused is acceptable (fail-closed); it must then be audited as DENIED
            assertThat(e.getSQLState()).isEqualTo("42501");
            assertThat(fx.server.events(Decision.DENIED)).hasSize(1);
        }
    }
}

package dev.lockbox.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockbox.api.audit.AuditEventSubmission;
import dev.lockbox.api.audit.Decision;
import dev.lockbox.api.request.AccessLevel;
import dev.lockbox.driver.testing.LockboxFixture;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Refusals are SQLState 42501, audited as DENIED with the reason before the exception, and change nothing. */
class RefusalTest {
    private LockboxFixture fx;

    @BeforeEach
    void setUp() throws SQLException {
        fx = new LockboxFixture();
    }

    @AfterEach
    void tearDown() throws SQLException {
        fx.close();
    }

    private void assertRefused(ThrowingAction action, String statementFragment) throws SQLException {
        int before = fx.server.events(Decision.DENIED).size();
        assertThatThrownBy(action::run)
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"))
                .hasMessageContaining("Lockbox refused");
        List<AuditEventSubmission> denied = fx.server.events(Decision.DENIED);
        assertThat(denied).hasSize(before + 1);
        AuditEventSubmission e = denied.get(denied.size() - 1);
        assertThat(e.statement()).contains(statementFragment);
        assertThat(e.denyReason()).isNotBlank();
        assertThat(fx.server.events(Decision.ALLOWED)).noneMatch(a -> a.statement().contains(statementFragment));
    }

    @FunctionalInterface
    interface ThrowingAction {
        void run() throws Exception;
    }

    @Test
    void readOnlyGrantRefusesEveryWritePath() throws Exception {
        fx.server.accessLevel = AccessLevel.READ_ONLY;
        try (Connection c = fx.connect(); Statement s = c.createStatement()) {
            String insert = "INSERT INTO orders(customer, amount) VALUES ('x', 1)";
            assertRefused(() -> s.execute(insert), "INSERT");
            assertRefused(() -> s.executeUpdate(insert), "INSERT");
            assertRefused(() -> s.executeLargeUpdate(insert, Statement.RETURN_GENERATED_KEYS), "INSERT");
            assertRefused(() -> s.executeQuery("DELETE FROM customers"), "DELETE FROM customers");
            assertRefused(() -> s.addBatch("UPDATE customers SET name = 'eve'"), "UPDATE customers");
            assertRefused(() -> s.execute("SELECT * FROM customers; DELETE FROM customers"), "DELETE FROM customers");
            assertRefused(() -> s.execute("SELECT * FROM customers FOR UPDATE"), "FOR UPDATE");
            assertRefused(() -> s.execute("CALL 1"), "CALL");

            PreparedStatement ps = c.prepareStatement("UPDATE customers SET name = ? WHERE id = ?");
            ps.setString(1, "eve");
            ps.setInt(2, 1);
            assertRefused(ps::executeUpdate, "UPDATE customers SET name = ?");
            ps.addBatch();
            assertRefused(ps::executeBatch, "UPDATE customers SET name = ?");
            CallableStatement cs = c.prepareCall("DELETE FROM customers WHERE id = ?");
            cs.setInt(1, 2);
            assertRefused(cs::execute, "DELETE FROM customers WHERE id = ?");

            // the refused batch entry was not added: an empty batch runs nothing
            assertThat(s.executeBatch()).isEmpty();
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM customers WHERE name <> 'eve'")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(2);
            }
        }
        assertThat(fx.count(null)).isZero();
    }

    @Test
    void refusedPreparedStatementRecordsItsParameters() throws Exception {
        fx.server.accessLevel = AccessLevel.READ_ONLY;
        try (Connection c = fx.connect(); PreparedStatement ps = c.prepareStatement("DELETE FROM customers WHERE id = ?")) {
            ps.setInt(1, 2);
            assertRefused(ps::executeUpdate, "DELETE FROM customers");
        }
        assertThat(fx.server.events(Decision.DENIED).get(0).parameters()).isEqualTo("[2]");
    }

    @Test
    void scopedGrantRefusesObjectsOutsideItsScope() throws Exception {
        fx.server.scope = List.of("customers");
        try (Connection c = fx.connect(); Statement s = c.createStatement()) {
            assertRefused(() -> s.executeQuery("SELECT * FROM orders"), "FROM orders");
            assertRefused(() -> s.executeQuery("SELECT * FROM customers c JOIN orders o ON o.customer = c.name"), "JOIN orders");
            try (ResultSet rs = s.executeQuery("SELECT name FROM customers WHERE id = 2")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("bob");
            }
        }
    }

    @Test
    void readWriteGrantStillRefusesDdl() throws Exception {
        try (Connection c = fx.connect(); Statement s = c.createStatement()) {
            assertRefused(() -> s.execute("DROP TABLE customers"), "DROP TABLE");
        }
        try (Statement s = fx.admin().createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM customers")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(2);
        }
    }

    @Test
    void unreadableSqlIsRefusedForReadOnlyGrants() throws Exception {
        fx.server.accessLevel = AccessLevel.READ_ONLY;
        try (Connection c = fx.connect(); Statement s = c.createStatement()) {
            assertRefused(() -> s.execute("THIS IS NOT SQL AT ALL"), "NOT SQL");
        }
    }

    @Test
    void refusalIsStillThrownWhenTheDenialCannotBeAudited() throws Exception {
        fx.server.accessLevel = AccessLevel.READ_ONLY;
        try (Connection c = fx.connect(); Statement s = c.createStatement()) {
            fx.server.failAudit = SqlState.SERVER_UNAVAILABLE.exception("audit store down");
            assertThatThrownBy(() -> s.executeUpdate("DELETE FROM customers"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("could not be audited")
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"));
            fx.server.failAudit = null;
        }
        try (Statement s = fx.admin().createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM customers")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(2);
        }
    }
}

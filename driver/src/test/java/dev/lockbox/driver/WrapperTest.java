package dev.lockbox.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockbox.api.audit.Decision;
import dev.lockbox.driver.testing.LockboxFixture;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The wrappers behave like the vendor's objects, and no vendor object ever escapes (STYLE.md pitfalls 1, 2, 7). */
class WrapperTest {
    private LockboxFixture fx;

    @BeforeEach
    void setUp() throws SQLException {
        fx = new LockboxFixture();
    }

    @AfterEach
    void tearDown() throws SQLException {
        fx.close();
    }

    private static void assertOurs(Object o) {
        assertThat(o).isNotNull();
        assertThat(Proxy.isProxyClass(o.getClass())).as(o.getClass() + " is a Lockbox wrapper").isTrue();
        assertThat(o.getClass().getName()).doesNotContain("h2");
    }

    @Test
    void statementsAndResultSetsAnswerWrappersNeverVendorObjects() throws Exception {
        try (Connection c = fx.connect()) {
            assertOurs(c);
            Statement s = c.createStatement();
            assertOurs(s);
            assertThat(s.getConnection()).isSameAs(c);
            assertThat(s.execute("SELECT * FROM customers")).isTrue();
            ResultSet rs = s.getResultSet();
            assertOurs(rs);
            assertThat(s.getResultSet()).isSameAs(rs);
            assertThat(rs.getStatement()).isSameAs(s);
            assertThat(rs.getStatement().getConnection()).isSameAs(c);

            ResultSet q = s.executeQuery("SELECT * FROM customers");
            assertOurs(q);
            assertThat(q.getStatement()).isSameAs(s);

            PreparedStatement ps = c.prepareStatement("INSERT INTO orders(customer, amount) VALUES (?, ?)",
                    Statement.RETURN_GENERATED_KEYS);
            assertOurs(ps);
            assertThat(ps.getConnection()).isSameAs(c);
            ps.setString(1, "ada");
            ps.setInt(2, 3);
            ps.executeUpdate();
            ResultSet keys = ps.getGeneratedKeys();
            assertOurs(keys);
            assertThat(keys.next()).isTrue();
            assertThat(keys.getInt(1)).isEqualTo(1);
            assertThat(keys.getStatement()).isSameAs(ps);

            CallableStatement cs = c.prepareCall("SELECT name FROM customers WHERE id = ?");
            assertOurs(cs);
            assertThat(cs.getConnection()).isSameAs(c);
            cs.setInt(1, 1);
            ResultSet crs = cs.executeQuery();
            assertOurs(crs);
            assertThat(crs.getStatement()).isSameAs(cs);
        }
    }

    @Test
    void metadataAnswersWrappers() throws Exception {
        try (Connection c = fx.connect()) {
            DatabaseMetaData md = c.getMetaData();
            assertOurs(md);
            assertThat(md.getConnection()).isSameAs(c);
            assertThat(md.getURL()).isEqualTo(fx.url(null));
            assertThat(md.getDatabaseProductName()).isEqualTo("H2");
            try (ResultSet tables = md.getTables(null, null, "ORDERS", null)) {
                assertOurs(tables);
                assertThat(tables.next()).isTrue();
                assertThat(tables.getString("TABLE_NAME")).isEqualTo("ORDERS");
                Statement owner = tables.getStatement();
                assertThat(owner == null || Proxy.isProxyClass(owner.getClass())).isTrue();
            }
            try (ResultSet cols = md.getColumns(null, null, "CUSTOMERS", null)) {
                assertOurs(cols);
                int n = 0;
                while (cols.next()) {
                    n++;
                }
                assertThat(n).isEqualTo(2);
            }
        }
    }

    @Test
    void arrayResultSetsAreWrappedToo() throws Exception {
        try (Connection c = fx.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT ARRAY[10, 20, 30]")) {
            assertThat(rs.next()).isTrue();
            java.sql.Array array = rs.getArray(1);
            assertOurs(array);
            try (ResultSet elements = array.getResultSet()) {
                assertOurs(elements);
                Statement owner = elements.getStatement();
                assertThat(owner == null || Proxy.isProxyClass(owner.getClass())).isTrue();
                assertThat(elements.next()).isTrue();
                assertThat(elements.getInt(2)).isEqualTo(10);
            }
        }
    }

    @Test
    void unwrapAndIsWrapperForAgreeAndRefuseVendorTypes() throws Exception {
        try (Connection c = fx.connect()) {
            Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT 1");
            DatabaseMetaData md = c.getMetaData();
            Object[][] cases = {
                {c, Connection.class}, {c, LockboxConnection.class}, {c, java.sql.Wrapper.class}, {c, AutoCloseable.class},
                {s, Statement.class}, {rs, ResultSet.class}, {md, DatabaseMetaData.class}};
            for (Object[] k : cases) {
                java.sql.Wrapper w = (java.sql.Wrapper) k[0];
                Class<?> iface = (Class<?>) k[1];
                assertThat(w.isWrapperFor(iface)).as(iface.getName()).isTrue();
                assertThat(w.unwrap(iface)).isSameAs(w);
            }
            Class<?>[] vendor = {org.h2.jdbc.JdbcConnection.class, org.h2.jdbc.JdbcStatement.class,
                org.h2.jdbc.JdbcResultSet.class, org.h2.jdbc.JdbcDatabaseMetaData.class, PreparedStatement.class};
            java.sql.Wrapper[] wrappers = {c, s, rs, md, s};
            for (int i = 0; i < vendor.length; i++) {
                java.sql.Wrapper w = wrappers[i];
                Class<?> v = vendor[i];
                assertThat(w.isWrapperFor(v)).as(v.getName()).isFalse();
                assertThatThrownBy(() -> w.unwrap(v))
                        .isInstanceOf(SQLException.class)
                        .hasMessageContaining("bypass")
                        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"));
            }
            LockboxConnection lc = c.unwrap(LockboxConnection.class);
            assertThat(lc.grant().requestId()).isEqualTo(fx.server.requestId);
            assertThat(fx.server.openSessions).containsKey(lc.sessionId());
        }
    }

    @Test
    void equalsAndHashCodeAreIdentityForPoolCaches() throws Exception {
        try (Connection c = fx.connect(); Connection other = fx.connect()) {
            PreparedStatement a = c.prepareStatement("SELECT 1");
            PreparedStatement b = c.prepareStatement("SELECT 1");
            assertThat(a).isEqualTo(a).isNotEqualTo(b);
            assertThat(a.hashCode()).isEqualTo(a.hashCode()).isEqualTo(System.identityHashCode(a));
            assertThat(c).isEqualTo(c).isNotEqualTo(other);
            assertThat(c.equals(null)).isFalse();
            java.util.Set<Object> set = new java.util.HashSet<>(java.util.List.of(a, b, c, other));
            assertThat(set).hasSize(4).contains(a, b, c, other);
            assertThat(c.toString()).contains("Lockbox").doesNotContain("password");
        }
    }

    @Test
    void transactionsSavepointsAndReadOnlyWork() throws Exception {
        try (Connection c = fx.connect()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO orders(customer, amount) VALUES ('t1', 1)");
                Savepoint sp = c.setSavepoint("sp");
                s.executeUpdate("INSERT INTO orders(customer, amount) VALUES ('t2', 2)");
                c.rollback(sp);
                c.commit();
                s.executeUpdate("INSERT INTO orders(customer, amount) VALUES ('t3', 3)");
                c.rollback();
            }
            c.setAutoCommit(true);
            assertThat(fx.count(null)).isEqualTo(1);
            assertThat(fx.count("customer = 't1'")).isEqualTo(1);
            c.setReadOnly(true); // H2 takes it as a hint: isReadOnly() reports the database's mode
            assertThat(c.isReadOnly()).isFalse();
            c.setReadOnly(false);
            assertThat(c.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_READ_COMMITTED);
            assertThat(c.isValid(1)).isTrue();
            assertThat(c.nativeSQL("SELECT {fn UCASE('a')}")).doesNotContain("{");
        }
    }

    @Test
    void closingTheConnectionClosesStatementsAndEndsTheSession() throws Exception {
        Connection c = fx.connect();
        String session = c.unwrap(LockboxConnection.class).sessionId();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM customers");
        c.close();
        assertThat(c.isClosed()).isTrue();
        assertThat(s.isClosed()).isTrue();
        assertThat(rs.isClosed()).isTrue();
        assertThat(c.isValid(1)).isFalse();
        c.close(); // idempotent
        s.close();
        assertThat(fx.server.closedSessions).containsExactly(session);
        assertThatThrownBy(c::createStatement).isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08003"));
        assertThatThrownBy(() -> s.executeQuery("SELECT 1")).isInstanceOf(SQLException.class);
        assertThat(fx.server.events(Decision.ALLOWED)).hasSize(1);
    }

    @Test
    void closingAStatementLeavesTheConnectionUsable() throws Exception {
        try (Connection c = fx.connect()) {
            Statement s = c.createStatement();
            s.close();
            assertThat(s.isClosed()).isTrue();
            assertThat(c.isClosed()).isFalse();
            try (Statement t = c.createStatement(); ResultSet rs = t.executeQuery("SELECT COUNT(*) FROM customers")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(2);
            }
        }
    }

    @Test
    void abortClosesAndEndsTheSession() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Connection c = fx.connect();
            String session = c.unwrap(LockboxConnection.class).sessionId();
            c.abort(pool);
            assertThat(c.isClosed()).isTrue();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> fx.server.closedSessions.contains(session));
            assertThatThrownBy(() -> c.abort(null)).isInstanceOf(SQLException.class);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void networkTimeoutIsDelegated() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection c = fx.connect()) {
            try {
                c.setNetworkTimeout(pool, 5000);
                assertThat(c.getNetworkTimeout()).isGreaterThanOrEqualTo(0);
            } catch (java.sql.SQLFeatureNotSupportedException e) {
                // the vendor's answer, passed through unchanged
                assertThat(e.getClass()).isEqualTo(java.sql.SQLFeatureNotSupportedException.class);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}

package dev.lockbox.driver.bench;

import dev.lockbox.driver.testing.LockboxFixture;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * A rough harness (not a test, not the benchmark) for the driver's own overhead: raw H2
 * in-memory against Lockbox sync and async over the in-memory server (no HTTP), so the figures
 * show wrapper + classification + audit queueing cost alone. Run:
 * {@code java -cp driver/target/test-classes:driver/target/classes:$(cat cp.txt) dev.lockbox.driver.bench.WrapperOverhead}
 */
public final class WrapperOverhead {
    private static final int WARMUP = 20_000;
    private static final int N = 100_000;

    public static void main(String[] args) throws Exception {
        try (LockboxFixture fx = new LockboxFixture()) {
            fx.server.keepBatches = false;
            try (Statement s = fx.admin().createStatement()) {
                s.execute("INSERT INTO orders(customer, amount) SELECT 'c' || X, X FROM SYSTEM_RANGE(1, 1000)");
            }
            try (Connection raw = java.sql.DriverManager.getConnection(fx.h2Url, "sa", "");
                 Connection sync = fx.connect();
                 Connection async = fx.connect("audit=async&auditMaxPending=1000000&auditMaxLagMs=60000")) {
                for (int round = 0; round < 2; round++) {
                    double r = prepared(raw), s = prepared(sync), a = prepared(async);
                    System.out.printf("prepared point select  raw %6.2f us  sync %6.2f us (%.2fx)  async %6.2f us (%.2fx)%n", r, s, s / r, a, a / r);
                    r = adHoc(raw);
                    s = adHoc(sync);
                    a = adHoc(async);
                    System.out.printf("ad-hoc point select    raw %6.2f us  sync %6.2f us (%.2fx)  async %6.2f us (%.2fx)%n", r, s, s / r, a, a / r);
                }
            }
        }
    }

    private static double prepared(Connection c) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("SELECT amount FROM orders WHERE id = ?")) {
            for (int i = 0; i < WARMUP; i++) {
                one(ps, i);
            }
            long t = System.nanoTime();
            for (int i = 0; i < N; i++) {
                one(ps, i);
            }
            return (System.nanoTime() - t) / 1000.0 / N;
        }
    }

    private static void one(PreparedStatement ps, int i) throws Exception {
        ps.setInt(1, 1 + i % 1000);
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            rs.getInt(1);
        }
    }

    private static double adHoc(Connection c) throws Exception {
        try (Statement s = c.createStatement()) {
            for (int i = 0; i < WARMUP; i++) {
                oneAdHoc(s, i);
            }
            long t = System.nanoTime();
            for (int i = 0; i < N; i++) {
                oneAdHoc(s, i);
            }
            return (System.nanoTime() - t) / 1000.0 / N;
        }
    }

    private static void oneAdHoc(Statement s, int i) throws Exception {
        try (ResultSet rs = s.executeQuery("SELECT amount FROM orders WHERE id = " + (1 + i % 1000))) {
            rs.next();
            rs.getInt(1);
        }
    }
}

package dev.lockbox.server.broker;

import dev.lockbox.api.grant.TargetConnection;
import dev.lockbox.api.request.AccessLevel;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * How long issuing a grant user and revoking it take (DESIGN.md: sessions end within one second
 * of a grant's end). Each round issues a READ_ONLY user, opens N raw sessions with it (each runs a
 * query), then times {@code revoke} (disable login, end the sessions, drop) and checks that every
 * session is dead. Targets: H2 over TCP, and PostgreSQL when {@code LOCKBOX_TEST_PG_URL} is set.
 * Run:
 * {@code mvn -B -o -pl approval-server test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.lockbox.server.broker.RevocationBenchmark -Dexec.args="200 5"} (rounds, sessions per grant).
 */
public final class RevocationBenchmark {
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int sessions = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        try (H2TestTarget h2 = H2TestTarget.start("bench")) {
            run("H2 (TCP)", h2, rounds, sessions);
        }
        if (System.getenv(PostgresTestDatabase.URL_VARIABLE) != null) {
            try (PostgresTestTarget pg = PostgresTestTarget.start("bench")) {
                run("PostgreSQL", pg, rounds, sessions);
            }
        } else {
            System.out.println("PostgreSQL: skipped (" + PostgresTestDatabase.URL_VARIABLE + " not set)");
        }
    }

    private static void run(String name, TestTarget target, int rounds, int sessions) throws Exception {
        long[] issue = new long[rounds];
        long[] revoke = new long[rounds];
        int warmup = Math.min(20, rounds / 5);
        try (CredentialBroker broker = new CredentialBroker(BrokerStore.inMemory(), TargetDirectory.of(target.database()),
                Clock.systemUTC(), BrokerEventListener.NONE)) {
            for (int r = -warmup; r < rounds; r++) {
                String id = "bench-" + name.charAt(0) + "-" + r;
                GrantSpec grant = new GrantSpec(id, "bench", AccessLevel.READ_ONLY, List.of("orders"),
                        Clock.systemUTC().instant().plus(Duration.ofHours(1)));
                long t0 = System.nanoTime();
                TargetConnection tc = broker.issue(grant);
                long t1 = System.nanoTime();
                List<Connection> open = new ArrayList<>();
                for (int s = 0; s < sessions; s++) {
                    Connection c = target.login(tc.user(), tc.password());
                    query(c);
                    open.add(c);
                }
                long t2 = System.nanoTime();
                broker.revoke(id);
                long t3 = System.nanoTime();
                for (Connection c : open) {
                    try {
                        query(c);
                        throw new IllegalStateException("a session of " + tc.user() + " survived its revocation");
                    } catch (SQLException expected) {
                        // the session is dead, as it must be
                    } finally {
                        c.close();
                    }
                }
                if (r >= 0) {
                    issue[r] = t1 - t0;
                    revoke[r] = t3 - t2;
                }
            }
            broker.reconcile(Set.of());
        }
        System.out.printf("%s, %d rounds, %d open sessions per grant%n", name, rounds, sessions);
        System.out.println("  issue  (create user + grants): " + summary(issue));
        System.out.println("  revoke (end sessions + drop):  " + summary(revoke));
    }

    private static void query(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM orders")) {
            rs.next();
        }
    }

    private static String summary(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return String.format("p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms",
                ms(s[s.length / 2]), ms(s[(int) (s.length * 0.95)]), ms(s[(int) (s.length * 0.99)]), ms(s[s.length - 1]));
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}

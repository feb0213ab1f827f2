package dev.lockbox.server.store.bench;

import dev.lockbox.server.store.AuditShapedCommits;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * What one durable write costs on this machine, the floor under a sync statement's audit POST
 * (issue 3; docs/benchmarks.md, "Sync statements and the store"): H2 file commits one at a
 * time, with the server's {@code WRITE_DELAY=0} (each commit written to the file before it returns)
 * and with H2's default 500 ms write delay (not durable across {@code kill -9}, for comparison), for a
 * one-row update and for the shape of a sync driver's audit transaction (insert the event, seal the
 * previous one, move the chain head); then a 1 KB append to a plain file, with and without
 * {@code force}. Single thread, no HTTP. Run:
 * {@code java -cp <approval-server test classpath> dev.lockbox.server.store.bench.DurableCommitBenchmark [commits per round] [rounds]}.
 */
public final class DurableCommitBenchmark {
    public static void main(String[] args) throws Exception {
        int commits = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path dir = Files.createTempDirectory("lockbox-durable-commit");
        try {
            System.out.printf("%d commits per round, %d rounds (the first is warm-up); µs per commit, last round%n", commits, rounds + 1);
            for (String delay : new String[] {"0", "500"}) {
                Path db = dir.resolve("h2-" + delay);
                try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + db + "/x;WRITE_DELAY=" + delay, "sa", "");
                        AuditShapedCommits auditCommits = new AuditShapedCommits(c)) {
                    createOneRowTable(c);
                    double update = 0;
                    double audit = 0;
                    for (int r = 0; r <= rounds; r++) {
                        update = oneRowUpdates(c, commits);
                        audit = auditTransactions(auditCommits, commits);
                    }
                    System.out.printf("H2 WRITE_DELAY=%-3s one-row update + commit %7.1f µs; audit-shaped transaction + commit %7.1f µs%n",
                            delay, update, audit);
                }
            }
            for (boolean force : new boolean[] {false, true}) {
                double us = 0;
                for (int r = 0; r <= rounds; r++) us = appends(dir.resolve("journal-" + force + "-" + r), commits, force);
                System.out.printf("file append of 1 KB%s %7.1f µs%n", force ? " + force(false)" : "               ", us);
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void createOneRowTable(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE one_row(id INT PRIMARY KEY, v BIGINT NOT NULL)");
            s.execute("INSERT INTO one_row VALUES (1, 0)");
        }
        c.commit();
    }

    private static double oneRowUpdates(Connection c, int n) throws SQLException {
        try (PreparedStatement u = c.prepareStatement("UPDATE one_row SET v = v + 1 WHERE id = 1")) {
            long t = System.nanoTime();
            for (int i = 0; i < n; i++) {
                u.executeUpdate();
                c.commit();
            }
            return (System.nanoTime() - t) / 1e3 / n;
        }
    }

    private static double auditTransactions(AuditShapedCommits auditCommits, int n) throws SQLException {
        long t = System.nanoTime();
        for (int i = 0; i < n; i++) auditCommits.commitNext();
        return (System.nanoTime() - t) / 1e3 / n;
    }

    private static double appends(Path file, int n, boolean force) throws IOException {
        ByteBuffer record = ByteBuffer.allocate(1024);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            long t = System.nanoTime();
            for (int i = 0; i < n; i++) {
                record.clear();
                record.putLong(0, i);
                while (record.hasRemaining()) ch.write(record);
                if (force) ch.force(false);
            }
            return (System.nanoTime() - t) / 1e3 / n;
        }
    }
}

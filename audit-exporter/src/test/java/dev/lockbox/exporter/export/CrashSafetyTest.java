package dev.lockbox.exporter.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.exporter.lake.AuditParquetFormat;
import dev.lockbox.exporter.lake.Lake;
import dev.lockbox.exporter.lake.PartFile;
import dev.lockbox.exporter.testing.ChildJvm;
import dev.lockbox.exporter.testing.LakeFiles;
import dev.lockbox.exporter.testing.SyntheticAuditFeed;
import dev.lockbox.exporter.verify.LakeVerifier;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child exporter process is killed with SIGKILL at random moments across many runs; after a
 * final clean run the lake holds every event exactly once and verifies.
 */
class CrashSafetyTest {
    // Each run is a child JVM (Hadoop start-up included); raise with -Dcrash.runs=N for a longer soak.
    private static final int RUNS = Integer.getInteger("crash.runs", 8);
    private static final long EVENTS = 8_000;
    private static final List<String> ENVS = List.of("prod", "eu-west");

    @TempDir
    Path dir;

    @Test
    void killedExportersNeitherLoseNorDuplicateEvents() throws Exception {
        Path lakeDir = dir.resolve("lake");
        long seed = Long.getLong("crash.seed", System.nanoTime());
        Random random = new Random(seed);
        List<Long> committedAfterKill = new ArrayList<>();
        int killedMidway = 0;
        for (int run = 0; run < RUNS; run++) {
            Process p = ChildJvm.command(CrashableExportMain.class, dir, lakeDir.toString(), Long.toString(EVENTS),
                    ENVS.get(0), ENVS.get(1)).redirectErrorStream(true).start();
            // Kill after a random number of commits (0 = while the first file is being written), plus a
            // random moment after it: mid-file, mid-rename, between pages.
            CountDownLatch commits = new CountDownLatch(random.nextInt(5));
            CountDownLatch ready = new CountDownLatch(1);
            Thread reader = new Thread(() -> watch(p, ready, commits));
            reader.setDaemon(true);
            reader.start();
            assertThat(ready.await(90, TimeUnit.SECONDS)).as("child exporter started (seed %d)", seed).isTrue();
            commits.await(60, TimeUnit.SECONDS);
            Thread.sleep(random.nextInt(300));
            p.destroyForcibly();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            long committed = committedRows(lakeDir);
            committedAfterKill.add(committed);
            if (committed > 0 && committed < EVENTS * ENVS.size()) killedMidway++;
        }
        System.out.printf("seed %d: rows committed after each kill %s%n", seed, committedAfterKill);
        // The kills must have hit a half-exported lake, or the test proves nothing.
        assertThat(killedMidway).as("runs killed mid-export %s (seed %d)", committedAfterKill, seed)
                .isGreaterThanOrEqualTo(3);

        Process last = ChildJvm.command(CrashableExportMain.class, dir, lakeDir.toString(), Long.toString(EVENTS),
                ENVS.get(0), ENVS.get(1)).redirectErrorStream(true).start();
        String output = new String(last.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(last.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(last.exitValue()).as(output).isZero();

        SyntheticAuditFeed feed = CrashableExportMain.feed(EVENTS, ENVS);
        try (Lake lake = Lake.open(lakeDir.toString())) {
            for (String env : ENVS) {
                List<Long> sequences = new ArrayList<>();
                Set<String> hashes = new HashSet<>();
                for (PartFile f : lake.partFiles(env)) {
                    AuditParquetFormat.read(lake, f, e -> {
                        sequences.add(e.sequence());
                        hashes.add(e.hash());
                    });
                }
                assertThat(sequences).as("rows of %s (seed %d)", env, seed).hasSize((int) EVENTS);
                assertThat(new TreeSet<>(sequences)).containsExactlyElementsOf(
                        LongStream.rangeClosed(1, EVENTS).boxed().toList());
                assertThat(hashes).containsExactlyInAnyOrderElementsOf(
                        feed.all(env).stream().map(AuditEvent::hash).toList());
            }
            assertThat(new LakeVerifier(lake).verify(ENVS).intact()).isTrue();
        }
        assertThat(LakeFiles.all(lakeDir)).allMatch(n -> n.endsWith(".parquet"));
    }

    /** Follows the child's output: READY once the lake is open, a log line per committed file. */
    private static void watch(Process p, CountDownLatch ready, CountDownLatch commits) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.equals("READY")) ready.countDown();
                if (line.contains("committed sql_audit/")) commits.countDown();
            }
        } catch (IOException e) {
            // The child was killed; its pipe closes.
        }
    }

    private static long committedRows(Path lakeDir) throws IOException {
        long rows = 0;
        for (String name : LakeFiles.parquet(lakeDir)) {
            String[] range = name.substring(name.lastIndexOf("part-") + 5, name.length() - ".parquet".length()).split("-");
            rows += Long.parseLong(range[1]) - Long.parseLong(range[0]) + 1;
        }
        return rows;
    }
}

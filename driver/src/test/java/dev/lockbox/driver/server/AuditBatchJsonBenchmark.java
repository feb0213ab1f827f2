package dev.lockbox.driver.server;

import com.fasterxml.jackson.databind.ObjectWriter;
import dev.lockbox.api.LockboxJson;
import dev.lockbox.api.audit.ActionClass;
import dev.lockbox.api.audit.AuditBatch;
import dev.lockbox.api.audit.AuditEventSubmission;
import dev.lockbox.api.audit.AuditOutcome;
import dev.lockbox.api.audit.Decision;
import dev.lockbox.api.audit.EventIds;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What writing one sync statement's audit call costs the calling thread: {@link AuditBatchJson}
 * against the shared mapper it replaced, alternating in rounds of one JVM (a harness, not a timed
 * test; docs/benchmarks.md, "Sync with nothing stored"). Run:
 * {@code java -cp <driver test classpath> dev.lockbox.driver.server.AuditBatchJsonBenchmark [ROUNDS] [CALLS_PER_ROUND]}.
 */
public final class AuditBatchJsonBenchmark {
    private static final ObjectWriter MAPPER = LockboxJson.newMapper().writerFor(AuditBatch.class);

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        List<AuditBatch> batches = new ArrayList<>();
        String previous = EventIds.next();
        for (int i = 0; i < 1024; i++) {
            String id = EventIds.next();
            batches.add(new AuditBatch("shop", List.of(new AuditEventSubmission(id, Instant.now(), "3f0c2b8e-1d2a-4c55-9a43-2b1f0e9d7c61",
                    "shop", "lbx_g_3f0c2b8e", "session-" + i, "laptop.example", "DBeaver 24.1", "SELECT", ActionClass.READ,
                    List.of("public.items"), "SELECT name, amount FROM items WHERE id = ?", "[" + i + "]", Decision.ALLOWED, null)),
                    List.of(new AuditOutcome(previous, true, 1L, null, 0.05 + i / 1e4))));
            previous = id;
        }
        double[] streaming = new double[rounds];
        double[] mapper = new double[rounds];
        long sink = 0;
        for (int r = -5; r < rounds; r++) { // five unrecorded rounds first, for the JIT
            boolean streamingFirst = (r & 1) == 0;
            for (int k = 0; k < 2; k++) {
                boolean useStreaming = (k == 0) == streamingFirst;
                long t = System.nanoTime();
                for (int i = 0; i < calls; i++) {
                    AuditBatch b = batches.get(i & 1023);
                    sink += (useStreaming ? AuditBatchJson.encode(b) : MAPPER.writeValueAsBytes(b)).length;
                }
                double ns = (System.nanoTime() - t) / (double) calls;
                if (r >= 0) (useStreaming ? streaming : mapper)[r] = ns;
            }
        }
        Arrays.sort(streaming);
        Arrays.sort(mapper);
        System.out.printf("one sync audit call (1 event + 1 outcome), median of %d rounds x %d: AuditBatchJson %.2f us, "
                        + "shared mapper %.2f us, ratio %.2f (bytes written: %d)%n", rounds, calls, streaming[rounds / 2] / 1000,
                mapper[rounds / 2] / 1000, streaming[rounds / 2] / mapper[rounds / 2], sink);
    }
}

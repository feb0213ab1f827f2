package dev.lockbox.driver.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockbox.api.LockboxJson;
import dev.lockbox.api.audit.ActionClass;
import dev.lockbox.api.audit.AuditBatch;
import dev.lockbox.api.audit.AuditEventSubmission;
import dev.lockbox.api.audit.AuditOutcome;
import dev.lockbox.api.audit.Decision;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link AuditBatchJson} writes exactly the bytes the shared mapper writes for the same batch, so the
 * server reads what it always read, and a field added to the wire records (which the mapper then
 * writes) fails here until the encoder writes it too.
 */
class AuditBatchJsonTest {
    private static final ObjectMapper MAPPER = LockboxJson.newMapper();

    @Test
    void writesWhatTheMapperWritesForEveryShapeOfBatch() throws Exception {
        List<AuditBatch> batches = new ArrayList<>();
        batches.add(new AuditBatch("prod-db", List.of(full(Instant.parse("2026-11-30T01:02:03.123456Z"))),
                List.of(new AuditOutcome("0190a9d7-0000-7000-8000-000000000001", true, 1L, null, 0.25))));
        batches.add(new AuditBatch("prod-db", List.of(), List.of()));
        batches.add(new AuditBatch(null, null, null));
        batches.add(new AuditBatch("prod-db", Arrays.asList(null, bare()), Arrays.asList(null,
                new AuditOutcome(null, false, null, "ERROR: \"x\" \\ \u0000 \n\t ü ✓ 😀", Double.NaN))));
        batches.add(new AuditBatch("prod-db", List.of(full(Instant.parse("2026-11-30T00:00:00Z")),
                full(Instant.parse("2026-11-30T00:00:00.100Z")), full(Instant.ofEpochSecond(1, 7))), List.of(
                new AuditOutcome("a", false, Long.MAX_VALUE, "", 0.0),
                new AuditOutcome("b", true, 0L, null, 1e-7),
                new AuditOutcome("c", true, -1L, null, 123456789.125),
                new AuditOutcome("d", true, 5L, null, Double.POSITIVE_INFINITY))));
        Random random = new Random(42);
        for (int i = 0; i < 200; i++) batches.add(random(random));

        for (AuditBatch b : batches) {
            // against the mapper's UTF-8 output, what the driver sent before (it escapes astral characters)
            assertThat(new String(AuditBatchJson.encode(b), StandardCharsets.UTF_8))
                    .isEqualTo(new String(MAPPER.writerFor(AuditBatch.class).writeValueAsBytes(b), StandardCharsets.UTF_8));
            if (b.environment() != null && b.events() != null && b.events().stream().noneMatch(java.util.Objects::isNull)) {
                assertThat(MAPPER.readValue(AuditBatchJson.encode(b), AuditBatch.class)).isEqualTo(b);
            }
        }
    }

    private static AuditEventSubmission full(Instant at) {
        return new AuditEventSubmission("0190a9d7-0000-7000-8000-000000000001", at, "req-1", "app", "eng_user",
                "session-1", "laptop.local", "DBeaver 24", "SELECT", ActionClass.READ, List.of("public.items", "\"Odd\" name"),
                "SELECT * FROM items WHERE id = ? -- é\r\n/* </script> */", "[1,\"two\",null,{\"a\":[3]}]",
                Decision.ALLOWED, null);
    }

    private static AuditEventSubmission bare() {
        return new AuditEventSubmission(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    private static AuditBatch random(Random r) {
        List<AuditEventSubmission> events = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) {
            events.add(new AuditEventSubmission(text(r), Instant.ofEpochSecond(r.nextInt(2_000_000_000), r.nextInt(1_000_000_000)),
                    text(r), text(r), text(r), text(r), text(r), text(r), text(r),
                    ActionClass.values()[r.nextInt(ActionClass.values().length)],
                    r.nextBoolean() ? null : Arrays.asList(text(r), text(r)), text(r), text(r),
                    Decision.values()[r.nextInt(2)], text(r)));
        }
        List<AuditOutcome> outcomes = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) {
            outcomes.add(new AuditOutcome(text(r), r.nextBoolean(), r.nextBoolean() ? null : r.nextLong(), text(r),
                    r.nextDouble() * Math.pow(10, r.nextInt(12) - 4)));
        }
        return new AuditBatch(text(r), events, outcomes);
    }

    /** null, or a short string over ASCII, control characters, Latin-1, BMP and astral code points. */
    private static String text(Random r) {
        if (r.nextInt(5) == 0) return null;
        StringBuilder b = new StringBuilder();
        for (int i = r.nextInt(12); i > 0; i--) {
            switch (r.nextInt(5)) {
                case 0 -> b.append((char) r.nextInt(0x20));
                case 1 -> b.append((char) (0x20 + r.nextInt(0x5f)));
                case 2 -> b.append((char) (0xa0 + r.nextInt(0x60)));
                case 3 -> b.append((char) (0x400 + r.nextInt(0x4000)));
                default -> b.appendCodePoint(0x1f600 + r.nextInt(0x40));
            }
        }
        return b.toString();
    }
}

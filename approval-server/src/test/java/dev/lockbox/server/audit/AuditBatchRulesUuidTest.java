package dev.lockbox.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The hand-written event id check accepts exactly what the documented pattern (8-4-4-4-12 hex digits) accepts. */
class AuditBatchRulesUuidTest {
    private static final Pattern DOCUMENTED = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    @Test
    void acceptsUuidsInEitherCase() {
        for (int i = 0; i < 1_000; i++) {
            String id = UUID.randomUUID().toString();
            assertThat(AuditBatchRules.isUuid(id)).as(id).isTrue();
            assertThat(AuditBatchRules.isUuid(id.toUpperCase())).as(id).isTrue();
        }
        assertThat(AuditBatchRules.isUuid("00000000-0000-0000-0000-000000000000")).isTrue();
        assertThat(AuditBatchRules.isUuid("FFFFFFFF-ffff-FfFf-fFfF-0123456789aB")).isTrue();
    }

    @Test
    void refusesEverythingElse() {
        String good = "0190a6f1-2b3c-7d4e-8f50-123456789abc";
        String[] bad = {"", "not-a-uuid", good.substring(1), good + "0", good.replace('-', '_'),
                good.replace("-", ""), " " + good.substring(1), good.substring(0, 35) + "g",
                good.substring(0, 8) + "0" + good.substring(9), // a digit where the first dash goes
                good.substring(0, 7) + "-" + good.substring(8), // a dash where a digit goes
                "{0190a6f1-2b3c-7d4e-8f50-123456789ab}", "0190a6f1-2b3c-7d4e-8f50-12345678\u0669abc", // Arabic-Indic nine
                "0190a6f1-2b3c-7d4e-8f50-123456789ab\u00e9", "0190a6f1-2b3c-7d4e-8f50-123456789abＡ"}; // full-width A
        for (String s : bad) {
            assertThat(DOCUMENTED.matcher(s).matches()).as("the pattern refuses %s", s).isFalse();
            assertThat(AuditBatchRules.isUuid(s)).as(s).isFalse();
        }
    }

    @Test
    void agreesWithThePatternOnRandomMutations() {
        Random random = new Random(42);
        String alphabet = "0123456789abcdefABCDEFgGzZ-_ {}\u0660\uff10";
        for (int i = 0; i < 200_000; i++) {
            StringBuilder s = new StringBuilder(UUID.randomUUID().toString());
            int edits = 1 + random.nextInt(3);
            for (int k = 0; k < edits; k++) {
                int at = random.nextInt(s.length() + 1);
                switch (random.nextInt(3)) {
                    case 0 -> { if (at < s.length()) s.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length()))); }
                    case 1 -> s.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    default -> { if (at < s.length()) s.deleteCharAt(at); }
                }
            }
            String candidate = s.toString();
            assertThat(AuditBatchRules.isUuid(candidate)).as(candidate).isEqualTo(DOCUMENTED.matcher(candidate).matches());
        }
    }
}

package dev.lockbox.driver.classify;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockbox.api.request.AccessLevel;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Pins the classification and the three grant decisions of every statement in the table. */
class StatementTableTest {
    private static final StatementClassifier CLASSIFIER = new StatementClassifier(10_000);

    static Stream<StatementTable.Row> rows() {
        return StatementTable.rows().stream();
    }

    @Test
    void tableHasAtLeast150Statements() {
        assertTrue(StatementTable.rows().size() >= 150, "rows: " + StatementTable.rows().size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void classifiesAndDecides(StatementTable.Row row) {
        Classification c = CLASSIFIER.classify(row.sql());
        assertAll(
                () -> assertEquals(row.action(), c.action(), "action"),
                () -> assertEquals(row.actionClass(), c.actionClass(), "class"),
                () -> assertEquals(row.objects(), c.objects(), "objects"),
                () -> assertEquals(row.readOnlyAllowed(), decide(c, AccessLevel.READ_ONLY, null), "READ_ONLY"),
                () -> assertEquals(row.readWriteAllowed(), decide(c, AccessLevel.READ_WRITE, List.of()), "READ_WRITE"),
                () -> assertEquals(row.scopedAllowed(), decide(c, AccessLevel.READ_WRITE, StatementTable.SCOPE),
                        "READ_WRITE scoped"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void everyRefusalHasASentence(StatementTable.Row row) {
        Classification c = CLASSIFIER.classify(row.sql());
        for (AccessLevel level : AccessLevel.values()) {
            AccessDecision d = GrantRules.decide(c, level, StatementTable.SCOPE);
            if (!d.allowed()) {
                assertFalse(d.denyReason() == null || d.denyReason().isBlank(), "deny reason for " + level);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void readOnlyGrantAllowsOnlyProvenReadOnlyStatements(StatementTable.Row row) {
        Classification c = CLASSIFIER.classify(row.sql());
        assertEquals(c.provenReadOnly(), decide(c, AccessLevel.READ_ONLY, null));
        if (c.provenReadOnly()) {
            assertTrue(c.parsed(), "a proven read-only text must have been parsed");
        }
    }

    private static boolean decide(Classification c, AccessLevel level, List<String> scope) {
        return GrantRules.decide(c, level, scope).allowed();
    }
}

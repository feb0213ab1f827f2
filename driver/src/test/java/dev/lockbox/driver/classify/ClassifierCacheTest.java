package dev.lockbox.driver.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockbox.api.audit.ActionClass;
import dev.lockbox.api.request.AccessLevel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The exact-text and shape caches never change a result; the classifier is thread-safe and capped. */
class ClassifierCacheTest {

    @Test
    void cachedResultsEqualUncachedResultsForTheWholeTable() {
        StatementClassifier cached = new StatementClassifier(10_000);
        for (int pass = 0; pass < 2; pass++) {
            for (StatementTable.Row row : StatementTable.rows()) {
                assertEquals(StatementClassifier.classifyWithoutCache(row.sql()), cached.classify(row.sql()),
                        "pass " + pass + ", " + row);
            }
        }
    }

    @Test
    void shapeHitsEqualFreshParsesWhenLiteralsVary() {
        // Seed the shape cache with each row, then classify variants with other literal values:
        // a shape hit must give exactly what a fresh parse of the variant gives.
        StatementClassifier cached = new StatementClassifier(10_000);
        for (StatementTable.Row row : StatementTable.rows()) {
            cached.classify(row.sql());
            for (String variant : literalVariants(row.sql())) {
                assertEquals(StatementClassifier.classifyWithoutCache(variant), cached.classify(variant),
                        row + " as " + variant);
            }
        }
    }

    @Test
    void textsDifferingOnlyInLiteralsShareOneShape() {
        String a = "SELECT * FROM accounts WHERE id = 7 AND name = 'alice'";
        String b = "SELECT * FROM accounts WHERE id = 8 AND name = 'bob'";
        assertEquals(SqlLexer.lex(a).shape(), SqlLexer.lex(b).shape());
        assertEquals("SELECT * FROM accounts WHERE id = ?i AND name = ?s", readable(SqlLexer.lex(a).shape()));
        StatementClassifier classifier = new StatementClassifier(100);
        assertSame(classifier.classify(a), classifier.classify(b), "the second text must be a shape hit");
    }

    @Test
    void shapeKeepsIdentifiersQuotedIdentifiersCommentsAndParameters() {
        assertEquals("SELECT \"Weird \"\"Name\"\"\" FROM t /* 'x' */ WHERE a = ?s AND b = $1 AND c = ? -- 'y'",
                readable(SqlLexer.lex(
                        "SELECT \"Weird \"\"Name\"\"\" FROM t /* 'x' */ WHERE a = 'q' AND b = $1 AND c = ? -- 'y'").shape()));
        assertEquals("SELECT ?i, ?d, ?d, ?e, ?q", readable(SqlLexer.lex("SELECT 7, 1.5, .5, 1e10, $$dollar$$").shape()));
        assertEquals("SELECT t1.c2 FROM t1", SqlLexer.lex("SELECT t1.c2 FROM t1").shape());
    }

    @Test
    void literalsOfDifferentKindsOrJdbcParametersNeverShareAShape() {
        // VARCHAR(10) parses and VARCHAR(0.5) does not: a shared shape would hand one's result to the other.
        assertFalse(SqlLexer.lex("SELECT CAST(a AS VARCHAR(10))").shape()
                .equals(SqlLexer.lex("SELECT CAST(a AS VARCHAR(0.5))").shape()));
        assertFalse(SqlLexer.lex("SELECT * FROM t WHERE a = 1").shape()
                .equals(SqlLexer.lex("SELECT * FROM t WHERE a = ?").shape()));
        assertFalse(SqlLexer.lex("SELECT 'x'").shape().equals(SqlLexer.lex("SELECT 1").shape()));
        assertNull(SqlLexer.lex("SELECT 1 -- \u0001i").shape(), "texts holding the marker are not shaped");
    }

    @Test
    void literalsThatCouldBeCodeInSomeDialectAreNotShaped() {
        for (String sql : List.of(
                "SELECT * FROM t WHERE a = 'x; DROP TABLE t'",
                "SELECT * FROM t WHERE a = 'x -- y'",
                "SELECT * FROM t WHERE a = 'x /* y'",
                "SELECT * FROM t WHERE a = 'x\\y'",
                "SELECT * FROM t WHERE a = 'x\"y'",
                "SELECT * FROM t WHERE a = 'x]y'",
                "SELECT * FROM t WHERE a = 'line\nbreak'",
                "SELECT 0x1F",
                "SELECT 1abc",
                "SELECT 1234567890123456789012")) {
            assertNull(SqlLexer.lex(sql).shape(), sql);
        }
    }

    @Test
    void literalNamingASequenceIsNotSharedByShape() {
        StatementClassifier classifier = new StatementClassifier(100);
        Classification a = classifier.classify("SELECT nextval('account_seq')");
        Classification b = classifier.classify("SELECT nextval('secret_seq')");
        assertEquals(List.of("account_seq", "NEXTVAL()"), a.objects());
        assertEquals(List.of("secret_seq", "NEXTVAL()"), b.objects());
        assertFalse(GrantRules.decide(b, AccessLevel.READ_WRITE, List.of("ACCOUNT_SEQ")).allowed());
    }

    @Test
    void cacheStaysBounded() {
        StatementClassifier classifier = new StatementClassifier(50);
        for (int i = 0; i < 2_000; i++) {
            // distinct shapes: the table name varies
            Classification c = classifier.classify("SELECT * FROM table_" + i + " WHERE id = " + i);
            assertEquals(List.of("table_" + i), c.objects());
        }
        ClassificationCache cache = new ClassificationCache(50);
        for (int i = 0; i < 2_000; i++) {
            cache.put("k" + i, StatementClassifier.classifyWithoutCache("SELECT 1"));
            assertTrue(cache.size() <= 51, "size " + cache.size());
        }
    }

    @Test
    void zeroCacheSizeDisablesCachingAndNegativeIsRefused() {
        StatementClassifier classifier = new StatementClassifier(0);
        Classification a = classifier.classify("SELECT 1");
        Classification b = classifier.classify("SELECT 1");
        assertEquals(a, b);
        assertFalse(a == b, "nothing may be cached with size 0");
        try {
            new StatementClassifier(-1);
            throw new AssertionError("negative cache size accepted");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage().contains("cacheSize"));
        }
    }

    @Test
    void manyThreadsGetTheSameResultsAsASingleThread() throws Exception {
        List<StatementTable.Row> rows = StatementTable.rows();
        List<Classification> expected = new ArrayList<>();
        for (StatementTable.Row row : rows) {
            expected.add(StatementClassifier.classifyWithoutCache(row.sql()));
        }
        StatementClassifier shared = new StatementClassifier(64); // small: eviction races with lookups
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Callable<Integer> worker = () -> {
                    start.await();
                    int checked = 0;
                    for (int i = 0; i < 1_500; i++) {
                        int index = ThreadLocalRandom.current().nextInt(rows.size());
                        Classification got = shared.classify(rows.get(index).sql());
                        if (!expected.get(index).equals(got)) {
                            throw new AssertionError(rows.get(index) + ": " + got + " != " + expected.get(index));
                        }
                        checked++;
                    }
                    return checked;
                };
                results.add(pool.submit(worker));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> f : results) {
                total += f.get(120, TimeUnit.SECONDS);
            }
            assertEquals(threads * 1_500, total);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void textsOverTheSizeCapAreUnparsedAndRefusedUnlessReadWrite() {
        String padding = " ".repeat(StatementClassifier.MAX_SQL_CHARS);
        String tooLong = "SELECT 1" + padding;
        Classification c = new StatementClassifier(10).classify(tooLong);
        assertFalse(c.parsed());
        assertEquals(StatementClassifier.UNKNOWN, c.action());
        assertEquals(ActionClass.MISC, c.actionClass());
        assertFalse(GrantRules.decide(c, AccessLevel.READ_ONLY, null).allowed());
        assertFalse(GrantRules.decide(c, AccessLevel.READ_WRITE, List.of("ACCOUNTS")).allowed());

        String atCap = "SELECT 1" + " ".repeat(StatementClassifier.MAX_SQL_CHARS - 8);
        assertEquals(StatementClassifier.MAX_SQL_CHARS, atCap.length());
        Classification fits = new StatementClassifier(10).classify(atCap);
        assertTrue(fits.parsed());
        assertTrue(fits.provenReadOnly());
    }

    @Test
    void nullAndBlankTextsAreUnparsed() {
        StatementClassifier classifier = new StatementClassifier(10);
        for (String sql : new String[] {null, "", "   ", "\n\t"}) {
            Classification c = classifier.classify(sql);
            assertNotNull(c);
            assertFalse(c.parsed(), "for " + sql);
            assertFalse(GrantRules.decide(c, AccessLevel.READ_ONLY, null).allowed());
        }
    }

    private static String readable(String shape) {
        return shape.replace(SqlLexer.LITERAL, '?');
    }

    /** The text with each number replaced by another number and each plain string literal by another. */
    private static List<String> literalVariants(String sql) {
        SqlLexer.LexedSql lexed = SqlLexer.lex(sql);
        List<String> variants = new ArrayList<>();
        if (lexed.shape() == null || lexed.ambiguous()) {
            return variants;
        }
        String[] replacements = {"42", "'zz'", "0.5", "123456789012345678", "999999999", "'a b, c = d'"};
        for (String replacement : replacements) {
            StringBuilder b = new StringBuilder();
            int at = 0;
            boolean changed = false;
            for (SqlLexer.SqlToken t : lexed.tokens()) {
                boolean number = t.kind() == SqlLexer.SqlToken.Kind.NUMBER;
                boolean string = t.kind() == SqlLexer.SqlToken.Kind.STRING && t.text().startsWith("'");
                if ((number && !replacement.startsWith("'")) || (string && replacement.startsWith("'"))) {
                    b.append(sql, at, t.start()).append(replacement);
                    at = t.end();
                    changed = true;
                }
            }
            b.append(sql.substring(at));
            if (changed) {
                variants.add(b.toString());
            }
        }
        return variants;
    }

    @Test
    void shapeOnlyLexingAgreesWithTheFullLexer() {
        List<String> texts = new ArrayList<>();
        StatementTable.rows().forEach(r -> texts.add(r.sql()));
        texts.addAll(List.of("SELECT 'a\\' , 'b' FROM t", "SELECT E'a\\' , 'b' FROM t", "SELECT E'x\\'y' FROM t",
                "SELECT /* /* */ 1 */ 2", "SELECT 'open", "SELECT \"open", "SELECT $tag$ x", "SELECT 1 /* open",
                "SELECT $$ a $$, $1, ?, 0x1F, 1abc, 1.2.3, 1234567890, 1e5 FROM t -- 'c'", "", " ", "SELECT \u0001"));
        for (String sql : texts) {
            SqlLexer.LexedSql full = SqlLexer.lex(sql);
            SqlLexer.LexedSql quick = SqlLexer.shapeOnly(sql);
            assertEquals(full.shape(), quick.shape(), sql);
            assertEquals(full.ambiguous(), quick.ambiguous(), sql);
            assertEquals(full.unterminated(), quick.unterminated(), sql);
            assertEquals(full.hasBackslashInLiteral(), quick.hasBackslashInLiteral(), sql);
        }
        assertTrue(texts.size() > 50);
    }
}

package dev.lockbox.driver.classify;

import java.util.Locale;

/**
 * Micro-benchmark harness for the statement classifier (not a test; see
 * docs/benchmarks.md): cold parse vs exact-text cache hit vs shape cache hit.
 *
 * <pre>mvn -B -o -pl driver test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=dev.lockbox.driver.classify.ClassifierBenchmark</pre>
 */
public final class ClassifierBenchmark {
    private static final String[] TEMPLATES = {
        "SELECT id, name, balance FROM accounts WHERE id = %d",
        "SELECT a.name, c.email FROM accounts a JOIN contacts c ON c.account_id = a.id WHERE a.region = 'r%d' ORDER BY a.name LIMIT 50",
        "UPDATE accounts SET balance = balance + %d WHERE id = 42",
        "WITH recent AS (SELECT * FROM orders WHERE created_at > DATE '2024-01-01' AND amount > %d) SELECT count(*) FROM recent",
    };

    private static volatile Object sink;

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        // Warm up the JIT on all three paths first.
        run(rounds / 4, 1_000_000);
        System.out.println("classifier benchmark: " + rounds + " statements per row, 4 statement templates");
        System.out.printf(Locale.ROOT, "%-48s %12s%n", "path", "µs/statement");
        double[] r = run(rounds, 2_000_000);
        System.out.printf(Locale.ROOT, "%-48s %12.2f%n", "cold (unique text and shape, full parse)", r[0]);
        System.out.printf(Locale.ROOT, "%-48s %12.2f%n", "cached by exact text (same text again)", r[1]);
        System.out.printf(Locale.ROOT, "%-48s %12.2f%n", "cached by shape (new literal each time)", r[2]);
        System.out.printf(Locale.ROOT, "cold / shape = %.0fx, cold / exact = %.0fx%n", r[0] / r[2], r[0] / r[1]);
    }

    /** Returns µs per statement for cold, exact-hit and shape-hit classification. */
    private static double[] run(int rounds, int offset) {
        // Cold: every text has a new table name, so neither cache can help.
        StatementClassifier cold = new StatementClassifier(10_000);
        String[] coldTexts = new String[rounds];
        for (int i = 0; i < rounds; i++) {
            coldTexts[i] = String.format(Locale.ROOT, TEMPLATES[i % TEMPLATES.length], i)
                    .replace("accounts", "accounts_" + (offset + i));
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            sink = cold.classify(coldTexts[i]);
        }
        long coldNanos = System.nanoTime() - t0;

        StatementClassifier warm = new StatementClassifier(10_000);
        String[] fixed = new String[TEMPLATES.length];
        for (int k = 0; k < TEMPLATES.length; k++) {
            fixed[k] = String.format(Locale.ROOT, TEMPLATES[k], 7);
            warm.classify(fixed[k]);
        }
        long t1 = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            sink = warm.classify(fixed[i % fixed.length]);
        }
        long exactNanos = System.nanoTime() - t1;

        // Shape: new literal values each time (the exact-text cache misses, the shape cache hits);
        // a large cache so the exact entries these texts add do not evict the shapes.
        StatementClassifier shaped = new StatementClassifier(rounds * 2 + 100);
        for (String f : fixed) {
            shaped.classify(f);
        }
        // The texts are built before the clock starts: String.format costs more than a shape hit.
        String[] texts = new String[rounds];
        for (int i = 0; i < rounds; i++) {
            texts[i] = String.format(Locale.ROOT, TEMPLATES[i % TEMPLATES.length], offset + i);
        }
        long t2 = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            sink = shaped.classify(texts[i]);
        }
        long shapeNanos = System.nanoTime() - t2;
        return new double[] {coldNanos / 1e3 / rounds, exactNanos / 1e3 / rounds, shapeNanos / 1e3 / rounds};
    }
}

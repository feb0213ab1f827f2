package dev.lockbox.driver.classify;

/**
 * Classifies SQL texts with JSqlParser; thread-safe, with a bounded cache by exact text and by
 * literal-normalised shape. (Placeholder signature: the classifier is being written.)
 */
public final class StatementClassifier {
    public StatementClassifier(int cacheSize) {}

    public Classification classify(String sql) {
        throw new UnsupportedOperationException("StatementClassifier is being written");
    }
}

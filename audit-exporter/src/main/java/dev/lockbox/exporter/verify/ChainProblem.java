package dev.lockbox.exporter.verify;

/**
 * The first thing wrong with an environment's exported chain.
 *
 * @param file     the lake file where it shows (relative to the lake root)
 * @param sequence the sequence where the chain breaks (the one expected, or the row's)
 */
public record ChainProblem(String environment, String file, long sequence, String message) {
    @Override
    public String toString() {
        return "environment " + environment + ", file " + file + ", sequence " + sequence + ": " + message;
    }
}

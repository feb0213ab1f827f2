package dev.lockbox.driver.statement;

import dev.lockbox.driver.classify.Classification;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

/**
 * Remembers a value derived from a {@link Classification} for as long as the classifier keeps
 * handing out the same instance (its caches do, for a repeated text or a repeated shape with new
 * literals), so per-statement work that depends only on the classification runs once per shape.
 * Direct-mapped by identity, lock-free, bounded ({@value #SLOTS} slots): a collision just
 * recomputes. Only sound for a {@code derive} that is a pure function of the (immutable) record.
 */
final class ClassificationMemo<V> {
    private static final int SLOTS = 256;

    private record Entry<V>(Classification key, V value) {}

    private final AtomicReferenceArray<Entry<V>> slots = new AtomicReferenceArray<>(SLOTS);
    private final Function<Classification, V> derive;

    ClassificationMemo(Function<Classification, V> derive) {
        this.derive = derive;
    }

    V get(Classification c) {
        int slot = System.identityHashCode(c) & (SLOTS - 1);
        Entry<V> e = slots.get(slot);
        if (e != null && e.key == c) {
            return e.value;
        }
        V value = derive.apply(c);
        slots.lazySet(slot, new Entry<>(c, value));
        return value;
    }
}

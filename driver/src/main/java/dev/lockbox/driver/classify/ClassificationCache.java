package dev.lockbox.driver.classify;

import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A bounded, thread-safe map from SQL text (or shape) to its classification, without a global
 * lock: reads are plain {@link ConcurrentHashMap} reads, and when the map grows past its bound
 * one thread at a time evicts about a tenth of the entries in the map's own (hash) order, which
 * is close enough to random eviction for a cache of statements.
 */
final class ClassificationCache {
    private final int capacity;
    private final ConcurrentHashMap<String, Classification> map;
    private final AtomicBoolean evicting = new AtomicBoolean();

    ClassificationCache(int capacity) {
        this.capacity = Math.max(0, capacity);
        this.map = new ConcurrentHashMap<>(Math.min(Math.max(16, this.capacity), 1 << 16));
    }

    Classification get(String key) {
        return capacity == 0 ? null : map.get(key);
    }

    void put(String key, Classification value) {
        if (capacity == 0) {
            return;
        }
        map.put(key, value);
        if (map.size() > capacity && evicting.compareAndSet(false, true)) {
            try {
                int toRemove = map.size() - capacity + Math.max(1, capacity / 10);
                Iterator<String> keys = map.keySet().iterator();
                while (toRemove-- > 0 && keys.hasNext()) {
                    keys.next();
                    keys.remove();
                }
            } finally {
                evicting.set(false);
            }
        }
    }

    int size() {
        return map.size();
    }
}

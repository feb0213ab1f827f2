package dev.lockbox.driver.statement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockbox.api.audit.ActionClass;
import dev.lockbox.driver.classify.Classification;
import dev.lockbox.driver.classify.StatementClassifier;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ClassificationMemoTest {

    @Test
    void derivesOncePerClassifierInstanceOfAShape() {
        AtomicInteger calls = new AtomicInteger();
        ClassificationMemo<String> memo = new ClassificationMemo<>(c -> {
            calls.incrementAndGet();
            return c.action();
        });
        StatementClassifier classifier = new StatementClassifier(100);
        for (int i = 0; i < 50; i++) {
            assertThat(memo.get(classifier.classify("SELECT name FROM items WHERE id = " + i))).isEqualTo("SELECT");
        }
        assertThat(calls).hasValue(1); // the shape cache hands out one instance for every literal
    }

    @Test
    void equalButDistinctClassificationsAreDerivedEachAndNeverConfused() {
        ClassificationMemo<List<String>> memo = new ClassificationMemo<>(Classification::objects);
        List<Classification> all = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) { // far more than the slots: collisions recompute, never answer another key's value
            all.add(new Classification("SELECT", ActionClass.READ, List.of("t" + i), true, true, 1));
        }
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < all.size(); i++) {
                assertThat(memo.get(all.get(i))).containsExactly("t" + i);
            }
        }
    }
}

package dev.lockbox.api.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventIdsTest {

    @Test
    void carriesVersion7TheRfcVariantAndTheMillisecond() {
        long before = System.currentTimeMillis();
        UUID id = UUID.fromString(EventIds.next());
        long after = System.currentTimeMillis();
        assertThat(id.version()).isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2); // RFC 4122 / 9562 variant: bits 10
        long millis = id.getMostSignificantBits() >>> 16;
        assertThat(millis).isBetween(before, after);
    }

    @Test
    void keepsAll48BitsOfTheTimestamp() {
        long millis = 0xFEDC_BA98_7654L;
        UUID id = EventIds.at(millis);
        assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(millis);
        assertThat(id.version()).isEqualTo(7);
        assertThat(id.toString()).startsWith("fedcba98-7654-7");
    }

    @Test
    void idsOfLaterMillisecondsSortAfterEarlierOnes() {
        List<String> ids = new ArrayList<>();
        for (long ms = 1_700_000_000_000L; ms < 1_700_000_000_000L + 5_000; ms += 7) {
            ids.add(EventIds.at(ms).toString());
            ids.add(EventIds.at(ms).toString());
        }
        for (int i = 2; i < ids.size(); i++) {
            if (i % 2 == 0) { // first id of a new millisecond: later than both ids of the previous one
                assertThat(ids.get(i)).isGreaterThan(ids.get(i - 1)).isGreaterThan(ids.get(i - 2));
            }
        }
    }

    @Test
    void idsMadeAcrossRealMillisecondsAreTimeOrdered() throws Exception {
        String first = EventIds.next();
        Thread.sleep(3);
        String second = EventIds.next();
        assertThat(second).isGreaterThan(first);
    }

    @Test
    void manyIdsInTheSameMillisecondsAreUnique() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 200_000; i++) {
            ids.add(EventIds.at(1_700_000_000_000L + i / 50_000).toString());
        }
        assertThat(ids).hasSize(200_000);
    }
}

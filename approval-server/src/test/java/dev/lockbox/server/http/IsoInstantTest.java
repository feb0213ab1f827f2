package dev.lockbox.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The shortcut must give exactly Instant.parse's value, and refuse exactly what it refuses. */
class IsoInstantTest {

    @Test
    void commonFormsGiveInstantParsesValue() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            long seconds = random.nextLong(Instant.parse("0000-01-01T00:00:00Z").getEpochSecond(),
                    Instant.parse("9999-12-31T23:59:59Z").getEpochSecond());
            Instant t = Instant.ofEpochSecond(seconds, random.nextInt(1_000_000_000));
            String iso = t.toString(); // 0, 3, 6 or 9 fraction digits
            int fraction = random.nextInt(10);
            String trimmed = iso.substring(0, 19) + (fraction == 0 ? "" : "." + String.format("%09d", t.getNano()).substring(0, fraction)) + "Z";
            assertThat(IsoInstant.parse(iso)).as(iso).isEqualTo(Instant.parse(iso));
            assertThat(IsoInstant.parse(trimmed)).as(trimmed).isEqualTo(Instant.parse(trimmed));
        }
    }

    @Test
    void otherFormsAreLeftToInstantParse() {
        for (String s : List.of("2026-11-29T13:45:59+01:00", "2026-12-31T23:59:60Z", "+12026-11-29T13:45:59Z",
                "2026-11-29T13:45:59.Z", "2024-02-29T00:00:00Z", "1970-01-01T00:00:00.000000000Z")) {
            assertThat(IsoInstant.parse(s)).as(s).isEqualTo(Instant.parse(s));
        }
    }

    @Test
    void whatInstantParseRefusesIsRefused() {
        for (String s : List.of("2026-02-30T00:00:00Z", "2026-11-29T24:00:00Z", "2026-11-29T13:60:00Z",
                "2026-11-29T13:45:5xZ", "2026-11-29 13:45:59Z", "2026-11-29T13:45:59.1234567890Z", "2026-13-01T00:00:00Z",
                "2026-11-29T13:45:59", "2026-11-29T13:45:59.Z", "x026-11-29T13:45:59Z", "2026-11-29T13:45:59.12a4Z")) {
            boolean refused;
            try {
                Instant.parse(s);
                refused = false;
            } catch (DateTimeParseException e) {
                refused = true;
            }
            if (refused) {
                assertThatThrownBy(() -> IsoInstant.parse(s)).as(s).isInstanceOf(DateTimeParseException.class);
            } else {
                assertThat(IsoInstant.parse(s)).as(s).isEqualTo(Instant.parse(s));
            }
        }
    }
}

package dev.lockbox.server.http;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * {@link Instant#parse} with a shortcut for the form every client sends, {@code 2026-11-29T13:45:59.123456Z}
 * (four-digit year, seconds, zero to nine fraction digits, {@code Z}): read digit by digit instead of
 * through {@code DateTimeFormatter.ISO_INSTANT}, which was ~6% of the CPU of audit ingest. Anything
 * else (offsets, leap seconds, bad dates, other years) goes to {@code Instant.parse}, so what is
 * accepted, what is refused and every value are exactly {@code Instant.parse}'s.
 */
final class IsoInstant {
    private IsoInstant() {}

    static Instant parse(String text) {
        Instant fast = common(text);
        return fast != null ? fast : Instant.parse(text);
    }

    /** The instant of {@code text} in the common form, or null when it is not in that form. */
    private static Instant common(String t) {
        int n = t.length();
        if (n < 20 || n > 30 || t.charAt(4) != '-' || t.charAt(7) != '-' || t.charAt(10) != 'T'
                || t.charAt(13) != ':' || t.charAt(16) != ':' || t.charAt(n - 1) != 'Z') {
            return null;
        }
        int year = digits(t, 0, 4);
        int month = digits(t, 5, 2);
        int day = digits(t, 8, 2);
        int hour = digits(t, 11, 2);
        int minute = digits(t, 14, 2);
        int second = digits(t, 17, 2);
        if ((year | month | day | hour | minute | second) < 0 || hour > 23 || minute > 59 || second > 59) return null;
        int nano = 0;
        if (n > 20) {
            int fraction = n - 21; // between the '.' at 19 and the 'Z'
            if (t.charAt(19) != '.' || fraction < 1) return null;
            nano = digits(t, 20, fraction);
            if (nano < 0) return null;
            for (int k = fraction; k < 9; k++) nano *= 10;
        }
        long day0;
        try {
            day0 = LocalDate.of(year, month, day).toEpochDay();
        } catch (DateTimeException invalidDate) {
            return null; // e.g. 02-30: Instant.parse says why
        }
        return Instant.ofEpochSecond(day0 * 86_400 + hour * 3_600L + minute * 60L + second, nano);
    }

    /** The value of {@code count} ASCII digits at {@code from}, or -1 if one is not a digit. */
    private static int digits(String t, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            int d = t.charAt(i) - '0';
            if (d < 0 || d > 9) return -1;
            v = v * 10 + d;
        }
        return v;
    }
}

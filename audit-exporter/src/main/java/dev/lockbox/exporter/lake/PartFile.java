package dev.lockbox.exporter.lake;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.Path;

/**
 * One committed Parquet file of the lake:
 * {@code sql_audit/environment=<env>/event_date=<yyyy-MM-dd>/part-<firstSeq>-<lastSeq>.parquet}.
 * The sequence range in the name is what recovery trusts (as Kafka Connect's HDFS sink does).
 */
public record PartFile(String environment, LocalDate eventDate, long firstSequence, long lastSequence, Path path) {
    private static final Pattern NAME = Pattern.compile("part-(\\d{20})-(\\d{20})\\.parquet");
    private static final String ENV_PREFIX = "environment=";
    private static final String DATE_PREFIX = "event_date=";

    public static String fileName(long firstSequence, long lastSequence) {
        return String.format("part-%020d-%020d.parquet", firstSequence, lastSequence);
    }

    public static String environmentDir(String environment) {
        return ENV_PREFIX + environment;
    }

    public static String dateDir(LocalDate eventDate) {
        return DATE_PREFIX + eventDate;
    }

    /** The environment named by an {@code environment=<env>} directory, if it is one. */
    static Optional<String> environmentOf(String dirName) {
        return dirName.startsWith(ENV_PREFIX) && dirName.length() > ENV_PREFIX.length()
                ? Optional.of(dirName.substring(ENV_PREFIX.length()))
                : Optional.empty();
    }

    static Optional<LocalDate> dateOf(String dirName) {
        if (!dirName.startsWith(DATE_PREFIX)) return Optional.empty();
        try {
            return Optional.of(LocalDate.parse(dirName.substring(DATE_PREFIX.length())));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** The part file at {@code path}, or empty when its name is not a part file name. */
    static Optional<PartFile> parse(String environment, LocalDate eventDate, Path path) {
        Matcher m = NAME.matcher(path.getName());
        if (!m.matches()) return Optional.empty();
        try {
            long first = Long.parseLong(m.group(1));
            long last = Long.parseLong(m.group(2));
            return first >= 1 && last >= first
                    ? Optional.of(new PartFile(environment, eventDate, first, last, path))
                    : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    public long rowCount() {
        return lastSequence - firstSequence + 1;
    }

    /** The path relative to the lake root, for messages. */
    public String displayName() {
        return "sql_audit/" + environmentDir(environment) + "/" + dateDir(eventDate) + "/" + path.getName();
    }
}

package dev.lockbox.exporter.cli;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads a point in time: {@code 2026-03-01}, {@code 2026-03-01T12:00}, or an instant; without an offset it is UTC. */
final class InstantConverter implements ITypeConverter<Instant> {
    @Override
    public Instant convert(String value) {
        try {
            if (value.length() == 10) return LocalDate.parse(value).atStartOfDay().toInstant(ZoneOffset.UTC);
            if (value.endsWith("Z") || value.matches(".*[+-]\\d{2}:\\d{2}$")) {
                return java.time.OffsetDateTime.parse(value).toInstant();
            }
            return LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new TypeConversionException("'" + value
                    + "' is not a time (try 2026-03-01, 2026-03-01T12:00 or 2026-03-01T12:00:00Z)");
        }
    }
}

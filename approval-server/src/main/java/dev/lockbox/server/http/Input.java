package dev.lockbox.server.http;

import java.util.List;
import java.util.regex.Pattern;

/** Checks on input fields shared by the features; each failure is a 400 that names the field. */
public final class Input {
    /** DESIGN.md: environment names. */
    public static final Pattern ENVIRONMENT_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    /** User names: like environment names, plus '.' and '_' (e.g. "jane.doe"). */
    public static final Pattern USER_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    private Input() {}

    public static String text(String field, String value, int maxLength) {
        if (value == null || value.isBlank()) throw ApiException.invalid(field, "must not be empty");
        if (value.length() > maxLength) throw ApiException.invalid(field, "longer than " + maxLength + " characters");
        return value.strip();
    }

    public static String optionalText(String field, String value, int maxLength) {
        if (value == null) return null;
        if (value.length() > maxLength) throw ApiException.invalid(field, "longer than " + maxLength + " characters");
        return value.isBlank() ? null : value.strip();
    }

    public static String environmentName(String field, String value) {
        if (value == null || value.isEmpty()) throw ApiException.invalid(field, "must not be empty");
        if (!ENVIRONMENT_NAME.matcher(value).matches()) {
            throw ApiException.invalid(field, "'" + shorten(value) + "' is not a valid environment name ([a-z0-9][a-z0-9-]{0,62})");
        }
        return value;
    }

    public static String userName(String field, String value) {
        if (value == null || value.isEmpty()) throw ApiException.invalid(field, "must not be empty");
        if (!USER_NAME.matcher(value).matches()) {
            throw ApiException.invalid(field, "'" + shorten(value) + "' is not a valid user name ([a-z0-9][a-z0-9._-]{0,63})");
        }
        return value;
    }

    public static <T> List<T> noNulls(String field, List<T> values) {
        if (values == null) return null;
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i) == null) throw ApiException.invalid(field + "[" + i + "]", "must not be null");
        }
        return values;
    }

    public static String shorten(String v) {
        return v.length() > 80 ? v.substring(0, 80) + "…" : v;
    }
}

package dev.lockbox.driver.classify;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The tables a scoped grant covers. Matching is case-insensitive (scope entries are unquoted
 * table names). A schema-qualified entry ({@code SALES.ORDERS}) matches only that schema's table;
 * an unqualified entry ({@code ORDERS}) matches a table of that name in any schema. An unqualified
 * table in a statement matches a qualified entry only when the entry's schema is {@code PUBLIC}
 * (the default schema of both H2 and PostgreSQL), because the driver cannot know the session's
 * search path otherwise. Catalog (database) prefixes in statements are ignored.
 */
final class GrantScope {
    private record Entry(String schema, String table) {}

    private final List<Entry> entries;
    private final String listing;

    private GrantScope(List<Entry> entries, String listing) {
        this.entries = entries;
        this.listing = listing;
    }

    static GrantScope of(List<String> scope) {
        List<Entry> entries = new ArrayList<>();
        List<String> names = new ArrayList<>();
        if (scope != null) {
            for (String raw : scope) {
                if (raw == null || raw.isBlank()) {
                    continue;
                }
                String name = raw.trim();
                names.add(name);
                int dot = name.lastIndexOf('.');
                entries.add(dot < 0
                        ? new Entry(null, upper(name))
                        : new Entry(upper(lastPart(name.substring(0, dot))), upper(name.substring(dot + 1))));
            }
        }
        return new GrantScope(List.copyOf(entries), String.join(", ", names));
    }

    boolean wholeDatabase() {
        return entries.isEmpty();
    }

    AccessDecision check(Classification c) {
        if (wholeDatabase()) {
            return AccessDecision.ALLOW;
        }
        if (!c.parsed()) {
            return AccessDecision.deny("scoped grant: the driver could not parse this SQL ("
                    + GrantRules.describe(c) + "), so it cannot check which tables it touches");
        }
        for (String object : c.objects()) {
            if (object.endsWith("()")) {
                return AccessDecision.deny("function " + object.substring(0, object.length() - 2)
                        + " is not on the read-only allow-list and could read tables outside this grant's scope ("
                        + listing + ")");
            }
            if (!covers(object)) {
                return AccessDecision.deny("table " + object + " is outside this grant's scope (" + listing + ")");
            }
        }
        return AccessDecision.ALLOW;
    }

    boolean covers(String object) {
        String[] parts = object.split("\\.");
        String table = upper(parts[parts.length - 1]);
        String schema = parts.length >= 2 ? upper(parts[parts.length - 2]) : null;
        for (Entry entry : entries) {
            if (!entry.table().equals(table)) {
                continue;
            }
            if (entry.schema() == null) {
                return true;
            }
            if (schema == null ? entry.schema().equals("PUBLIC") : entry.schema().equals(schema)) {
                return true;
            }
        }
        return false;
    }

    private static String lastPart(String qualifier) {
        int dot = qualifier.lastIndexOf('.');
        return dot < 0 ? qualifier : qualifier.substring(dot + 1);
    }

    private static String upper(String s) {
        return s.trim().toUpperCase(Locale.ROOT);
    }
}

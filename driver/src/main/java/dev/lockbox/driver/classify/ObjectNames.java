package dev.lockbox.driver.classify;

import java.util.List;
import java.util.StringJoiner;

/** Spelling rules for SQL object names (quoting, qualification). */
final class ObjectNames {
    private ObjectNames() {}

    static boolean isQuoted(String part) {
        return part.length() >= 2
                && ((part.startsWith("\"") && part.endsWith("\""))
                        || (part.startsWith("`") && part.endsWith("`"))
                        || (part.startsWith("[") && part.endsWith("]")));
    }

    /** {@code "Weird ""Name"""} becomes {@code Weird "Name"}; unquoted names are returned as written. */
    static String unquote(String part) {
        if (part == null) {
            return "";
        }
        String p = part.trim();
        if (!isQuoted(p)) {
            return p;
        }
        char q = p.charAt(0);
        String inner = p.substring(1, p.length() - 1);
        return q == '[' ? inner : inner.replace(String.valueOf(q) + q, String.valueOf(q));
    }

    /** The non-empty parts joined with dots, each unquoted ("PUBLIC.ACCOUNTS"). */
    static String qualifiedUnquoted(List<String> parts) {
        StringJoiner joiner = new StringJoiner(".");
        if (parts != null) {
            for (String part : parts) {
                if (part != null && !part.isBlank()) {
                    joiner.add(unquote(part));
                }
            }
        }
        return joiner.toString();
    }

    /** "SCHEMA.TABLE" of a parsed table, unquoted (JSqlParser keeps the parts innermost first). */
    static String of(net.sf.jsqlparser.schema.Table table) {
        List<String> parts = new java.util.ArrayList<>(table.getNameParts());
        java.util.Collections.reverse(parts);
        return qualifiedUnquoted(parts);
    }

    /**
     * Whether two identifiers as written name the same thing: case-insensitively when both are
     * unquoted, exactly when both are quoted; a quoted and an unquoted spelling are taken to differ
     * (the safe answer for CTE shadowing, where "the same" would hide a table).
     */
    static boolean sameIdentifier(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        boolean qa = isQuoted(a.trim());
        boolean qb = isQuoted(b.trim());
        if (qa != qb) {
            return false;
        }
        return qa ? unquote(a).equals(unquote(b)) : a.trim().equalsIgnoreCase(b.trim());
    }
}

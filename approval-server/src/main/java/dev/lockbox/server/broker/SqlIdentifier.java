package dev.lockbox.server.broker;

/** Quoting of names spliced into DDL, where JDBC offers no bind parameters. */
final class SqlIdentifier {
    private SqlIdentifier() {}

    /** A standard SQL delimited identifier: any character but NUL, embedded quotes doubled. */
    static String quote(String name) {
        if (name.isEmpty() || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("not an identifier: empty or containing NUL");
        }
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    static String quote(String schema, String name) {
        return quote(schema) + "." + quote(name);
    }
}

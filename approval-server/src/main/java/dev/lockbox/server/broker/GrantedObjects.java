package dev.lockbox.server.broker;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What a grant's user gets rights on, as the target names it: either one whole schema or a list
 * of tables. Names come from the target's own catalog (never from the request), and are quoted
 * whenever they reach SQL.
 */
record GrantedObjects(String schema, List<Table> tables) {
    record Table(String schema, String name) {
        @Override
        public String toString() {
            return schema + "." + name;
        }
    }

    static GrantedObjects wholeSchema(String schema) {
        return new GrantedObjects(schema, List.of());
    }

    static GrantedObjects tables(List<Table> tables) {
        return new GrantedObjects(null, List.copyOf(tables));
    }

    boolean isWholeSchema() {
        return schema != null;
    }

    List<String> schemas() {
        return isWholeSchema() ? List.of(schema) : tables.stream().map(Table::schema).distinct().toList();
    }

    String describe() {
        return isWholeSchema() ? "schema " + schema : tables.stream().map(Table::toString).collect(Collectors.joining(", "));
    }
}

package dev.lockbox.server.broker;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Resolves a grant's scope against the target's INFORMATION_SCHEMA (same views on H2 and
 * PostgreSQL). Matching is case-insensitive like the driver's scope check; an unqualified entry
 * covers a table of that name in any non-system schema, a catalog prefix is ignored. A scope
 * entry that names no table is refused: the grant must be exactly what was approved.
 */
final class TargetCatalog {
    private final TargetDialect dialect;

    TargetCatalog(TargetDialect dialect) {
        this.dialect = dialect;
    }

    GrantedObjects resolve(Connection admin, GrantSpec grant, String configuredSchema) throws SQLException {
        if (grant.wholeSchema()) {
            return GrantedObjects.wholeSchema(schema(admin, configuredSchema == null ? dialect.defaultSchema() : configuredSchema));
        }
        Set<GrantedObjects.Table> tables = new LinkedHashSet<>();
        for (String entry : grant.scope()) {
            String[] parts = entry.split("\\.");
            String table = parts[parts.length - 1];
            String schema = parts.length >= 2 ? parts[parts.length - 2] : null;
            List<GrantedObjects.Table> found = tables(admin, schema, table);
            if (found.isEmpty()) {
                throw new IllegalArgumentException("scope table '" + entry + "' does not exist in environment '"
                        + grant.environment() + "'");
            }
            tables.addAll(found);
        }
        return GrantedObjects.tables(List.copyOf(tables));
    }

    private String schema(Connection admin, String wanted) throws SQLException {
        List<String> matches = new ArrayList<>();
        try (PreparedStatement ps = admin.prepareStatement(
                "SELECT schema_name FROM information_schema.schemata WHERE UPPER(schema_name) = ?")) {
            ps.setString(1, wanted.toUpperCase(Locale.ROOT));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) matches.add(rs.getString(1));
            }
        }
        if (matches.contains(wanted)) return wanted;
        if (matches.size() == 1) return matches.get(0);
        throw new IllegalArgumentException(matches.isEmpty()
                ? "schema '" + wanted + "' does not exist on the target"
                : "schema '" + wanted + "' is ambiguous on the target: " + matches);
    }

    private List<GrantedObjects.Table> tables(Connection admin, String schema, String table) throws SQLException {
        String sql = "SELECT table_schema, table_name FROM information_schema.tables "
                + "WHERE UPPER(table_name) = ? AND table_type IN ('BASE TABLE', 'VIEW')"
                + (schema == null ? "" : " AND UPPER(table_schema) = ?")
                + " ORDER BY table_schema, table_name";
        List<GrantedObjects.Table> out = new ArrayList<>();
        try (PreparedStatement ps = admin.prepareStatement(sql)) {
            ps.setString(1, table.toUpperCase(Locale.ROOT));
            if (schema != null) ps.setString(2, schema.toUpperCase(Locale.ROOT));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String s = rs.getString(1);
                    if (!dialect.isSystemSchema(s)) out.add(new GrantedObjects.Table(s, rs.getString(2)));
                }
            }
        }
        return out;
    }
}

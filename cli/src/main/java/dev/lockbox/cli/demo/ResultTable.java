package dev.lockbox.cli.demo;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** A query result as a small text table for the demo's output. */
final class ResultTable {
    private ResultTable() {}

    /** Reads up to {@code maxRows} rows and formats them; returns the lines and how many rows were read. */
    static Rendered render(ResultSet rs, int maxRows) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        int columns = md.getColumnCount();
        List<String[]> rows = new ArrayList<>();
        String[] header = new String[columns];
        for (int c = 0; c < columns; c++) header[c] = md.getColumnLabel(c + 1);
        rows.add(header);
        int count = 0;
        while (count < maxRows && rs.next()) {
            String[] row = new String[columns];
            for (int c = 0; c < columns; c++) {
                Object v = rs.getObject(c + 1);
                String s = v == null ? "NULL" : v.toString();
                row[c] = s.length() > 40 ? s.substring(0, 39) + "…" : s;
            }
            rows.add(row);
            count++;
        }
        int[] width = new int[columns];
        for (String[] row : rows) for (int c = 0; c < columns; c++) width[c] = Math.max(width[c], row[c].length());
        List<String> lines = new ArrayList<>();
        for (int r = 0; r < rows.size(); r++) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                if (c > 0) line.append(" │ ");
                line.append(String.format("%-" + width[c] + "s", rows.get(r)[c]));
            }
            lines.add(line.toString().stripTrailing());
            if (r == 0) {
                StringBuilder rule = new StringBuilder();
                for (int c = 0; c < columns; c++) {
                    if (c > 0) rule.append("─┼─");
                    rule.append("─".repeat(width[c]));
                }
                lines.add(rule.toString());
            }
        }
        return new Rendered(lines, count);
    }

    record Rendered(List<String> lines, int rows) {}
}

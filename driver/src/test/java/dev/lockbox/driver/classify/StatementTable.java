package dev.lockbox.driver.classify;

import dev.lockbox.api.audit.ActionClass;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The rows of {@code classify/statements.txt} (format described at the top of that file). */
final class StatementTable {
    static final List<String> SCOPE = List.of("ACCOUNTS", "CONTACTS", "public.ORDERS");

    record Row(int line, String sql, String action, ActionClass actionClass, List<String> objects,
            boolean readOnlyAllowed, boolean readWriteAllowed, boolean scopedAllowed) {
        @Override
        public String toString() {
            return "line " + line + ": " + sql.replace("\n", "\\n");
        }
    }

    private StatementTable() {}

    static List<Row> rows() {
        try (InputStream in = StatementTable.class.getResourceAsStream("/classify/statements.txt")) {
            if (in == null) {
                throw new IllegalStateException("classify/statements.txt is missing from the test resources");
            }
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1);
            List<Row> rows = new ArrayList<>();
            for (int i = 0; i < lines.length; i++) {
                String line = lines[i];
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int arrow = line.lastIndexOf(" ⇒ ");
                if (arrow < 0) {
                    throw new IllegalStateException("line " + (i + 1) + " has no ⇒: " + line);
                }
                String sql = line.substring(0, arrow).replace("\\n", "\n");
                String[] cells = line.substring(arrow + 3).split(" \\| ", -1);
                if (cells.length != 6) {
                    throw new IllegalStateException("line " + (i + 1) + " needs 6 cells after ⇒, has " + cells.length);
                }
                List<String> objects = cells[2].trim().equals("-") ? List.of()
                        : Arrays.stream(cells[2].split(", ")).map(String::trim).toList();
                rows.add(new Row(i + 1, sql, cells[0].trim(), ActionClass.valueOf(cells[1].trim()), objects,
                        decision(cells[3], i), decision(cells[4], i), decision(cells[5], i)));
            }
            return rows;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean decision(String cell, int index) {
        return switch (cell.trim()) {
            case "allow" -> true;
            case "deny" -> false;
            default -> throw new IllegalStateException("line " + (index + 1) + ": decision must be allow or deny, was " + cell);
        };
    }
}

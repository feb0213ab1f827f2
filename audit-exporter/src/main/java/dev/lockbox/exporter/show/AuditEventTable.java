package dev.lockbox.exporter.show;

import dev.lockbox.api.audit.AuditEvent;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** Audit rows as a plain-text table a person can read in a terminal. */
public final class AuditEventTable {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
    private static final String[] HEADERS = {"EVENT_TIME", "ENVIRONMENT", "SEQ", "ENGINEER", "REQUEST", "ACTION",
            "DECISION", "OUTCOME", "ROWS", "STATEMENT"};

    private final int statementWidth;

    public AuditEventTable(int statementWidth) {
        this.statementWidth = Math.max(10, statementWidth);
    }

    public String render(List<AuditEvent> events) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADERS);
        for (AuditEvent e : events) rows.add(cells(e));
        int[] widths = new int[HEADERS.length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) widths[i] = Math.max(widths[i], r[i].length());
        }
        StringBuilder out = new StringBuilder();
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                if (i == r.length - 1) {
                    out.append(r[i]);
                } else {
                    out.append(String.format("%-" + widths[i] + "s  ", r[i]));
                }
            }
            out.append(System.lineSeparator());
        }
        out.append(events.size()).append(events.size() == 1 ? " row" : " rows").append(System.lineSeparator());
        return out.toString();
    }

    private String[] cells(AuditEvent e) {
        return new String[] {
            TIME.format(e.eventTime()),
            text(e.environment()),
            Long.toString(e.sequence()),
            text(e.engineer()),
            text(e.requestId()),
            text(e.action()),
            text(e.decision()),
            outcome(e),
            e.rowsAffected() == null ? "" : e.rowsAffected().toString(),
            statement(e)
        };
    }

    private static String outcome(AuditEvent e) {
        if ("DENIED".equals(e.decision())) return "-";
        if (e.succeeded() == null) return "unknown";
        return e.succeeded() ? "ok" : "failed";
    }

    private String statement(AuditEvent e) {
        String s = e.statement() == null ? (e.denyReason() == null ? "" : "(" + e.denyReason() + ")")
                : e.statement().replaceAll("\\s+", " ").strip();
        return s.length() <= statementWidth ? s : s.substring(0, statementWidth - 1) + "…";
    }

    private static String text(String s) {
        return s == null ? "" : s;
    }
}

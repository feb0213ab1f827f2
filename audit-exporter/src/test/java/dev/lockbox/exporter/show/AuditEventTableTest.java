package dev.lockbox.exporter.show;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockbox.api.audit.AuditEvent;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditEventTableTest {
    private static AuditEvent event(long seq, String decision, Boolean succeeded, String statement) {
        return new AuditEvent(seq, "id-" + seq, Instant.parse("2026-03-01T10:15:30.123456Z"), "prod", "shop",
                "req-1", "SUP-1", "alice", "lb_x", "s-1", "10.0.0.1", "psql", "UPDATE", "WRITE",
                List.of("public.orders"), statement, null, decision, "DENIED".equals(decision) ? "read only" : null,
                succeeded, succeeded == null ? null : 3L, null, 1.5, "0".repeat(64), "1".repeat(64));
    }

    @Test
    void rendersOneAlignedLinePerEventWithReadableOutcomes() {
        String table = new AuditEventTable(30).render(List.of(
                event(1, "ALLOWED", true, "UPDATE public.orders\n   SET status = 'X'"),
                event(2, "ALLOWED", null, "UPDATE public.orders SET status = 'Y' WHERE id = 1234567"),
                event(3, "DENIED", null, "DROP TABLE public.orders"),
                event(4, "ALLOWED", false, "UPDATE t SET a = 1")));
        List<String> lines = table.lines().toList();
        assertThat(lines).hasSize(6);
        assertThat(lines.get(0)).startsWith("EVENT_TIME").contains("OUTCOME", "STATEMENT");
        assertThat(lines.get(1)).startsWith("2026-03-01 10:15:30.123456Z").contains(" ok ")
                .endsWith("UPDATE public.orders SET status = 'X'".substring(0, 29) + "…");
        assertThat(lines.get(2)).contains(" unknown ");
        assertThat(lines.get(3)).contains(" DENIED ", " - ").endsWith("DROP TABLE public.orders");
        assertThat(lines.get(4)).contains(" failed ");
        assertThat(lines.get(5)).isEqualTo("4 rows");
        int statementColumn = lines.get(0).indexOf("STATEMENT");
        assertThat(lines.subList(1, 5)).extracting(l -> l.substring(statementColumn))
                .allMatch(st -> st.startsWith("UPDATE ") || st.startsWith("DROP "));
    }

    @Test
    void filterMatchesOnEveryField() {
        AuditEvent e = event(1, "ALLOWED", true, "UPDATE t SET a = 1");
        assertThat(new AuditEventFilter(List.of(), "alice", "req-1", "update", null, null, 10).matches(e)).isTrue();
        assertThat(new AuditEventFilter(List.of(), "bob", null, null, null, null, 10).matches(e)).isFalse();
        assertThat(new AuditEventFilter(List.of(), null, "req-2", null, null, null, 10).matches(e)).isFalse();
        assertThat(new AuditEventFilter(List.of(), null, null, "SELECT", null, null, 10).matches(e)).isFalse();
        assertThat(new AuditEventFilter(List.of(), null, null, null, e.eventTime(), null, 10).matches(e)).isTrue();
        assertThat(new AuditEventFilter(List.of(), null, null, null, null, e.eventTime(), 10).matches(e)).isFalse();
        assertThatThrownBy(() -> new AuditEventFilter(List.of(), null, null, null, null, null, 0))
                .hasMessageContaining("limit");
    }
}

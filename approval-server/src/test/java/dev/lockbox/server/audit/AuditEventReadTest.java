package dev.lockbox.server.audit;

import static dev.lockbox.server.audit.AuditFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.audit.AuditHashChain;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What {@code page} and {@code forRequest} read back is exactly what was sealed, every column. */
class AuditEventReadTest {
    private AuditStore store;
    private JdbcAuditLog log;

    @BeforeEach
    void open() {
        store = AuditStore.inMemory("read-" + UUID.randomUUID());
        log = new JdbcAuditLog(store.ds, Clock.fixed(T0, ZoneOffset.UTC), id -> Optional.empty(), Duration.ofMinutes(5));
    }

    @AfterEach
    void close() {
        if (store != null) store.close(); // null when the PostgreSQL run is skipped
    }

    @Test
    void objectNamesComeBackAsStoredWhateverCharactersTheyHold() throws Exception {
        List<List<String>> names = List.of(
                List.of(),
                List.of("public.orders"),
                List.of("public.orders", "billing.subscriptions", "x"),
                List.of(""),
                List.of("", ""),
                List.of("a\"b"),
                List.of("\",\""),
                List.of("a\",\"b", "c"),
                List.of("back\\slash", "tab\there"),
                List.of("\"quoted\"", "[bracket]", "comma,name"),
                List.of("schéma.tâble", "表", "emoji 🙂"),
                List.of("line\nbreak", "\u0001control"));
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) events.add(event(i, names.get(i)));
        List<AuditEvent> sealed = new SealedEventLoader(store.ds).append("sales", events, 5);

        assertThat(log.page("sales", 0, 100).events()).containsExactlyElementsOf(sealed);
        assertThat(log.forRequest("r1", 0, 100)).containsExactlyElementsOf(sealed);
        assertThat(log.page("sales", 0, 100).events()).extracting(AuditEvent::objects).containsExactlyElementsOf(names);
    }

    @Test
    void pagesReadEveryColumnIncludingNulls() throws Exception {
        AuditEvent full = event(0, List.of("public.orders"));
        AuditEvent sparse = new AuditEvent(0, UUID.randomUUID().toString(), T0.plusNanos(123_456_000), "sales",
                null, "r1", null, "bob", null, null, null, null, "DROP", "DDL", List.of(), "DROP TABLE t", null,
                "DENIED", "not allowed", null, null, null, null, null, null);
        List<AuditEvent> sealed = new SealedEventLoader(store.ds).append("sales", List.of(full, sparse), 10);

        List<AuditEvent> read = log.page("sales", 0, 10).events();
        assertThat(read).containsExactlyElementsOf(sealed);
        assertThat(read).allSatisfy(e -> assertThat(AuditHashChain.isIntact(e)).isTrue());
        assertThat(log.page("sales", 1, 10).events()).containsExactly(sealed.get(1));
    }

    @Test
    void anObjectsColumnThatIsNotAJsonArrayOfStringsFailsTheReadAndSaysWhy() throws Exception {
        new SealedEventLoader(store.ds).append("sales", List.of(event(0, List.of("public.orders"))), 5);
        // Text no server writes (a hand edit of the store): the read fails loudly rather than guessing names.
        for (String bad : List.of("{\"a\":1}", "[1]", "[\"a\"][\"b\"]", "[\"a\"] x", "[\"a\",\"b")) {
            try (Connection c = store.ds.getConnection(); PreparedStatement ps = c.prepareStatement("UPDATE audit_event SET objects = ?")) {
                ps.setString(1, bad);
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            assertThatThrownBy(() -> log.page("sales", 0, 10)).as(bad)
                    .isInstanceOf(AuditStoreException.class)
                    .hasStackTraceContaining("audit_event.objects"); // the SQLException in the causes names the column
        }
    }

    private static AuditEvent event(int i, List<String> objects) {
        return new AuditEvent(0, UUID.randomUUID().toString(), T0.plusSeconds(i).plusNanos(1_000), "sales", "shop",
                "r1", "TICKET-1", "alice", "lb_grant_1", "session-1", "laptop-7", "DBeaver", "SELECT", "READ",
                objects, "SELECT * FROM t WHERE id = ?", "[" + i + "]", "ALLOWED", null, i % 2 == 0, (long) i,
                i % 3 == 0 ? "boom" : null, 1.25 + i, null, null);
    }
}

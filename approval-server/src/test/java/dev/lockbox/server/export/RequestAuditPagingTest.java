package dev.lockbox.server.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.audit.AuditEventPage;
import dev.lockbox.server.testing.ApiClient;
import dev.lockbox.server.testing.MutableClock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /api/requests/{id}/audit} serves a request's trail a page at a time, so a long session
 * cannot make one answer (and the server's memory for it) grow without bound.
 */
class RequestAuditPagingTest {
    private static final TypeReference<List<AuditEvent>> EVENTS = new TypeReference<>() {};

    @TempDir
    Path dir;
    private AuditedServer s;

    @BeforeEach
    void start() {
        s = new AuditedServer(dir.resolve("data"), new MutableClock(AuditedServer.T0)).withCast();
    }

    @AfterEach
    void stop() {
        if (s != null) s.close();
    }

    @Test
    void aFullPageSaysWhereTheNextStartsAndTheLastPageDoesNot() {
        String grant = s.approvedGrant("prod-db");
        s.session("prod-db", grant, List.of("SELECT 1 FROM orders", "UPDATE orders SET a = 1", "DROP TABLE orders",
                "SELECT 2 FROM orders", "SELECT 3 FROM orders"));
        // CONNECT, 5 statements, DISCONNECT: 7 events under the grant.
        List<AuditEvent> whole = s.api.get(s.token("alice"), "/api/requests/" + grant + "/audit").expect(200).as(EVENTS);
        assertThat(whole).hasSize(7);

        List<AuditEvent> paged = new ArrayList<>();
        String after = "0";
        int pages = 0;
        while (after != null) {
            ApiClient.Response r = s.api.get(s.token("alice"), "/api/requests/" + grant + "/audit?limit=3&afterSequence=" + after)
                    .expect(200);
            List<AuditEvent> page = r.as(EVENTS);
            paged.addAll(page);
            pages++;
            after = r.header(AuditEventPage.NEXT_AFTER_SEQUENCE_HEADER);
            if (after != null) assertThat(Long.parseLong(after)).isEqualTo(page.get(page.size() - 1).sequence());
        }
        // 3 + 3 + 1: the short third page has no header.
        assertThat(pages).isEqualTo(3);
        assertThat(paged).isEqualTo(whole);
    }

    @Test
    void badPagingParametersAre400AndNameTheParameter() {
        String grant = s.approvedGrant("prod-db");
        for (String bad : List.of("limit=0", "limit=10001", "limit=ten", "afterSequence=-1", "afterSequence=x")) {
            ApiClient.Response r = s.api.get(s.token("dave"), "/api/requests/" + grant + "/audit?" + bad).expect(400);
            assertThat(r.error().message()).startsWith(bad.substring(0, bad.indexOf('=')));
        }
    }
}

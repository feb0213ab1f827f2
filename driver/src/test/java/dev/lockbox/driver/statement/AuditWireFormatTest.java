package dev.lockbox.driver.statement;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockbox.api.LockboxJson;
import dev.lockbox.api.audit.ActionClass;
import dev.lockbox.api.audit.AuditEventSubmission;
import dev.lockbox.api.audit.Decision;
import dev.lockbox.driver.classify.Classification;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Events always fit the server's batch rules, whatever the classifier or the bound values look like. */
class AuditWireFormatTest {
    private static final Pattern SERVER_ACTION = Pattern.compile("[A-Z][A-Z0-9_ ]*");
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "SELECT               | SELECT",
        "INSERT;DELETE        | INSERT DELETE",
        "CREATE ALIAS         | CREATE ALIAS",
        "select               | SELECT",
        "''                   | UNKNOWN",
        ";;                   | UNKNOWN",
        "1SELECT              | UNKNOWN",
        "SELECT;SELECT;SELECT;SELECT;SELECT;SELECT;SELECT;SELECT;SELECT;SELECT;SELECT | SELECT SELECT SELECT SELECT SELECT SELECT SELECT SELECT SELECT",
    })
    void actionsFitTheServersPattern(String classified, String wire) {
        String action = StatementEvents.action(classified);
        assertThat(action).isEqualTo(wire);
        assertThat(action).matches(SERVER_ACTION).hasSizeLessThanOrEqualTo(64);
    }

    @Test
    void eventsAreCappedToTheServersLimits() {
        StatementEvents events = new StatementEvents("r-1", "db", "u", "s", "h", null, Clock.systemUTC());
        List<String> objects = new ArrayList<>(Collections.nCopies(1500, "t"));
        objects.add(0, "x".repeat(600));
        Classification c = new Classification("INSERT;INSERT", ActionClass.WRITE, objects, false, true, 2);
        AuditEventSubmission e = events.event(AuditedSql.of("INSERT ...; INSERT ...", null, c), Decision.DENIED, "r".repeat(5000));
        assertThat(e.action()).isEqualTo("INSERT INSERT");
        assertThat(e.objects()).hasSize(1000);
        assertThat(e.objects().get(0)).hasSize(512);
        assertThat(e.denyReason()).hasSize(4000);
        assertThat(e.eventId()).matches(UUID);
        assertThat(e.requestId()).isEqualTo("r-1");
    }

    @Test
    void eventIdsAreDistinctVersion7Uuids() {
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = AuditedSql.newEventId();
            assertThat(id).matches(UUID);
            ids.add(id);
        }
        assertThat(ids).hasSize(10_000);
    }

    @Test
    void largePreparedBatchesStayUnderTheParametersLimit() throws Exception {
        List<List<Object>> rows = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            rows.add(List.of(i, "v".repeat(1000)));
        }
        String json = BoundParameters.batchJson(rows);
        assertThat(json.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThan(1 << 20);
        JsonNode tree = LockboxJson.newMapper().readTree(json);
        assertThat(tree.isArray()).isTrue();
        JsonNode last = tree.get(tree.size() - 1);
        assertThat(last.asText()).endsWith("more rows not recorded (audit size limit)");
        assertThat(tree.get(0).get(0).asInt()).isZero();

        String small = BoundParameters.batchJson(List.of(List.of(1, "a"), List.of(2, "b")));
        assertThat(small).isEqualTo("[[1,\"a\"],[2,\"b\"]]");
    }

    @Test
    void boundValuesAreDescribedNotRead() {
        BoundParameters p = new BoundParameters();
        p.bind(3, "setBinaryStream", new java.io.ByteArrayInputStream(new byte[10]));
        p.bind(1, "setBytes", new byte[] {1, 2, 3});
        p.bind(2, "setString", "x".repeat(5000));
        p.bind("name", "setInt", 5);
        p.bind(4, "setDouble", Double.NaN);
        String json = p.json();
        assertThat(json).startsWith("[\"<3 bytes>\",\"xxxx").contains("...(5000 chars)").contains("\"<stream>\"")
                .contains("\"NaN\"").endsWith("{\"name\":5}]");
    }
}

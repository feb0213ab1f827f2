package dev.lockbox.server.audit;

import dev.lockbox.server.testing.MutableClock;
import static dev.lockbox.server.audit.AuditFixtures.T0;
import static dev.lockbox.server.audit.AuditFixtures.allowed;
import static dev.lockbox.server.audit.AuditFixtures.denied;
import static dev.lockbox.server.audit.AuditFixtures.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockbox.api.audit.ActionClass;
import dev.lockbox.api.audit.AuditAck;
import dev.lockbox.api.audit.AuditBatch;
import dev.lockbox.api.audit.AuditEventSubmission;
import dev.lockbox.api.audit.AuditOutcome;
import dev.lockbox.api.audit.Decision;
import dev.lockbox.api.request.RequestStatus;
import dev.lockbox.server.http.ApiException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every refusal is a 400 naming the field or a 403, and leaves the store exactly as it was. */
class JdbcAuditLogRefusalTest {
    private AuditStore store;
    private final MutableClock clock = new MutableClock(T0.plus(Duration.ofHours(1)));
    private final AuditFixtures.Grants grants = new AuditFixtures.Grants();
    private AuditLog log;
    /** Stored before each test, so "nothing changed" is checked against a non-empty store. */
    private AuditEventSubmission earlier;
    private AuditEventSubmission bobsEarlier;

    @BeforeEach
    void open() {
        store = AuditStore.inMemory("refusal-" + UUID.randomUUID());
        grants.approve("r1", "sales", "alice", true);
        grants.approve("bob-r", "sales", "bob", true);
        grants.approve("hr-r", "hr", "alice", true);
        log = under(new JdbcAuditLog(store.ds, clock, grants, Duration.ofMinutes(5)));
        earlier = allowed("r1", now(), "SELECT 0");
        bobsEarlier = allowed("bob-r", now(), "SELECT 'bob'");
        log.ingest("alice", new AuditBatch("sales", List.of(earlier, denied("r1", now(), "DROP TABLE x")), List.of()));
        log.ingest("bob", new AuditBatch("sales", List.of(bobsEarlier), List.of()));
    }

    @AfterEach
    void close() {
        if (store != null) store.close(); // null when the PostgreSQL run is skipped
    }

    /** The log under test built on {@code store}: the store's own here, {@link AuditIntakeJournal} in front of it in a subclass. */
    AuditLog under(JdbcAuditLog store) {
        return store;
    }

    /** Returns once everything acknowledged is in the store (at once here: nothing is acknowledged before). */
    void written() {}

    private Instant now() {
        return clock.instant();
    }

    private String snapshot() {
        written();
        return store.count("audit_event") + "/"
                + store.longQuery("SELECT COUNT(*) FROM audit_event WHERE succeeded IS NOT NULL") + "/"
                + store.longQuery("SELECT COALESCE(SUM(last_sequence), 0) FROM audit_chain_head") + "/"
                + store.count("audit_late_outcome");
    }

    /** Sends a batch of one good event plus {@code bad} and expects a refusal that stored none of it. */
    private ApiException refuse(int status, String caller, AuditBatch batch) {
        String before = snapshot();
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> log.ingest(caller, batch));
        assertThat(thrown).isInstanceOf(ApiException.class);
        ApiException ex = (ApiException) thrown;
        assertThat(ex.status()).as(ex.getMessage()).isEqualTo(status);
        assertThat(snapshot()).as("store after refusal").isEqualTo(before);
        return ex;
    }

    private ApiException refuseEvent(int status, AuditEventSubmission bad) {
        AuditEventSubmission good = denied("r1", now(), "TRUNCATE orders");
        AuditEventSubmission good2 = allowed("r1", now(), "SELECT 1");
        return refuse(status, "alice", new AuditBatch("sales", List.of(good, good2, bad), List.of(ok(good2, 1), ok(earlier, 2))));
    }

    private static AuditEventSubmission with(AuditEventSubmission e, UnaryOperator<Object[]> change) {
        Object[] f = {e.eventId(), e.eventTime(), e.requestId(), e.database(), e.dbUser(), e.sessionId(),
                e.clientHost(), e.applicationName(), e.action(), e.actionClass(), e.objects(), e.statement(),
                e.parameters(), e.decision(), e.denyReason()};
        Object[] g = change.apply(f);
        @SuppressWarnings("unchecked")
        List<String> objects = (List<String>) g[10];
        return new AuditEventSubmission((String) g[0], (Instant) g[1], (String) g[2], (String) g[3], (String) g[4],
                (String) g[5], (String) g[6], (String) g[7], (String) g[8], (ActionClass) g[9], objects,
                (String) g[11], (String) g[12], (Decision) g[13], (String) g[14]);
    }

    private AuditEventSubmission base() {
        return allowed("r1", now(), "SELECT 2");
    }

    private AuditEventSubmission set(int field, Object value) {
        return with(base(), f -> {
            f[field] = value;
            return f;
        });
    }

    @Test
    void malformedEventsAre400sNamingTheField() {
        assertThat(refuseEvent(400, set(0, "not-a-uuid")).getMessage()).startsWith("events[2].eventId");
        assertThat(refuseEvent(400, set(0, null)).getMessage()).startsWith("events[2].eventId");
        assertThat(refuseEvent(400, set(1, null)).getMessage()).startsWith("events[2].eventTime");
        assertThat(refuseEvent(400, set(1, now().plus(Duration.ofDays(400)))).getMessage()).startsWith("events[2].eventTime");
        assertThat(refuseEvent(400, set(1, Instant.EPOCH)).getMessage()).startsWith("events[2].eventTime");
        assertThat(refuseEvent(400, set(2, " ")).getMessage()).startsWith("events[2].requestId");
        assertThat(refuseEvent(400, set(8, null)).getMessage()).startsWith("events[2].action");
        assertThat(refuseEvent(400, set(8, "select; drop")).getMessage()).startsWith("events[2].action");
        assertThat(refuseEvent(400, set(8, "CONNECT")).getMessage()).startsWith("events[2].action");
        assertThat(refuseEvent(400, set(9, null)).getMessage()).startsWith("events[2].actionClass");
        assertThat(refuseEvent(400, set(11, null)).getMessage()).startsWith("events[2].statement");
        assertThat(refuseEvent(400, set(13, null)).getMessage()).startsWith("events[2].decision");
        assertThat(refuseEvent(400, set(14, "but allowed")).getMessage()).startsWith("events[2].denyReason");
        assertThat(refuseEvent(400, set(3, "d".repeat(1001))).getMessage()).startsWith("events[2].database");
    }

    @Test
    void parametersMustBeAJsonArray() {
        assertThat(refuseEvent(400, set(12, "{\"a\":1}")).getMessage()).startsWith("events[2].parameters");
        assertThat(refuseEvent(400, set(12, "[1, 2")).getMessage()).startsWith("events[2].parameters");
        assertThat(refuseEvent(400, set(12, "[1] [2]")).getMessage()).startsWith("events[2].parameters");
        assertThat(refuseEvent(400, set(12, "42")).getMessage()).startsWith("events[2].parameters");
        assertThat(refuseEvent(400, set(12, "")).getMessage()).startsWith("events[2].parameters");
        // malformed inside a nested value, or garbage after the array: every token is read
        assertThat(refuseEvent(400, set(12, "[1, {\"a\": ]}]")).getMessage()).startsWith("events[2].parameters");
        assertThat(refuseEvent(400, set(12, "[[1], [2]] x")).getMessage()).startsWith("events[2].parameters");
    }

    @Test
    void objectsMustBeASaneList() {
        assertThat(refuseEvent(400, set(10, Arrays.asList("a", null))).getMessage()).startsWith("events[2].objects[1]");
        assertThat(refuseEvent(400, set(10, List.of(""))).getMessage()).startsWith("events[2].objects[0]");
        assertThat(refuseEvent(400, set(10, List.of("x".repeat(513)))).getMessage()).startsWith("events[2].objects[0]");
        assertThat(refuseEvent(400, set(10, Collections.nCopies(1001, "t"))).getMessage()).startsWith("events[2].objects");
    }

    @Test
    void statementIsCappedAtOneMebibyteOfUtf8() {
        // 'é' is two bytes in UTF-8: half a mebibyte of characters is one mebibyte, one more byte is too much.
        String atCap = "é".repeat(AuditBatchRules.MAX_TEXT_BYTES / 2);
        assertThat(refuseEvent(400, set(11, atCap + "x")).getMessage()).startsWith("events[2].statement");
        assertThat(refuseEvent(400, set(12, "[\"" + "x".repeat(AuditBatchRules.MAX_TEXT_BYTES) + "\"]")).getMessage())
                .startsWith("events[2].parameters");

        AuditEventSubmission big = set(11, atCap);
        assertThat(log.ingest("alice", new AuditBatch("sales", List.of(big), List.of(ok(big, 0))))).isEqualTo(new AuditAck(1, 0, 1));
        assertThat(log.forRequest("r1", 0, 100)).anySatisfy(e -> assertThat(e.statement()).isEqualTo(atCap));
    }

    @Test
    void tooLargeBatchesAreRefused() {
        List<AuditEventSubmission> many = new ArrayList<>();
        for (int i = 0; i <= AuditBatchRules.MAX_EVENTS; i++) many.add(denied("r1", now(), "DROP TABLE t" + i));
        assertThat(refuse(400, "alice", new AuditBatch("sales", many, List.of())).getMessage()).startsWith("events");
        List<AuditOutcome> outcomes = Collections.nCopies(AuditBatchRules.MAX_OUTCOMES + 1, ok(earlier, 1));
        assertThat(refuse(400, "alice", new AuditBatch("sales", List.of(), outcomes)).getMessage()).startsWith("outcomes");
        assertThat(refuse(400, "alice", new AuditBatch(null, List.of(base()), List.of())).getMessage()).startsWith("environment");
        assertThat(refuse(400, "alice", null).getMessage()).startsWith("body");
    }

    @Test
    void malformedOutcomesAre400s() {
        AuditEventSubmission e = base();
        AuditBatch batch = new AuditBatch("sales", List.of(e), List.of(new AuditOutcome("x", true, 1L, null, 1)));
        assertThat(refuse(400, "alice", batch).getMessage()).startsWith("outcomes[0].eventId");
        batch = new AuditBatch("sales", List.of(e), List.of(new AuditOutcome(e.eventId(), true, -1L, null, 1)));
        assertThat(refuse(400, "alice", batch).getMessage()).startsWith("outcomes[0].rowsAffected");
        batch = new AuditBatch("sales", List.of(e), List.of(new AuditOutcome(e.eventId(), true, 1L, null, Double.NaN)));
        assertThat(refuse(400, "alice", batch).getMessage()).startsWith("outcomes[0].durationMs");
        batch = new AuditBatch("sales", List.of(e), List.of(new AuditOutcome(e.eventId(), true, 1L, null, -3)));
        assertThat(refuse(400, "alice", batch).getMessage()).startsWith("outcomes[0].durationMs");
        // An outcome for an event never stored, or for a DENIED one.
        batch = new AuditBatch("sales", List.of(e), List.of(ok(e, 1), new AuditOutcome(UUID.randomUUID().toString(), true, 1L, null, 1)));
        assertThat(refuse(400, "alice", batch).getMessage()).startsWith("outcomes[1].eventId");
        AuditEventSubmission d = denied("r1", now(), "DROP TABLE y");
        batch = new AuditBatch("sales", List.of(d), List.of(new AuditOutcome(d.eventId(), true, 0L, null, 1)));
        assertThat(refuse(400, "alice", batch).getMessage()).startsWith("outcomes[0].eventId");
    }

    @Test
    void grantsThatAreNotTheCallersOwnAre403s() {
        // Someone else's grant, an unknown one, one of another environment.
        refuseEvent(403, allowed("bob-r", now(), "SELECT 1"));
        refuseEvent(403, allowed("no-such-request", now(), "SELECT 1"));
        refuseEvent(403, allowed("hr-r", now(), "SELECT 1"));
        // The whole batch names another environment than the grant's.
        refuse(403, "alice", new AuditBatch("hr", List.of(allowed("r1", now(), "SELECT 1")), List.of()));
        // Completing or replaying someone else's event.
        refuse(403, "alice", new AuditBatch("sales", List.of(base()), List.of(ok(bobsEarlier, 1))));
        refuse(403, "alice", new AuditBatch("sales", List.of(base(), with(base(), f -> {
            f[0] = bobsEarlier.eventId();
            return f;
        })), List.of()));
        refuse(403, "mallory", new AuditBatch("sales", List.of(allowed("r1", now(), "SELECT 1")), List.of()));
        refuse(403, " ", new AuditBatch("sales", List.of(allowed("r1", now(), "SELECT 1")), List.of()));
    }

    @Test
    void grantsThatAreNotActiveAre403s() {
        for (RequestStatus status : List.of(RequestStatus.PENDING, RequestStatus.DENIED, RequestStatus.REVOKED,
                RequestStatus.EXPIRED, RequestStatus.CANCELLED)) {
            grants.put(new GrantRecord("r9", "sales", "alice", "T-9", status, T0, T0.plus(Duration.ofHours(8)), true));
            assertThat(refuseEvent(403, allowed("r9", now(), "SELECT 1")).getMessage()).contains(status.name());
        }
        grants.put(new GrantRecord("r9", "sales", "alice", "T-9", RequestStatus.APPROVED, T0,
                now().minusMillis(1), true));
        assertThat(refuseEvent(403, allowed("r9", now(), "SELECT 1")).getMessage()).contains("ended");
        grants.put(new GrantRecord("r9", "sales", "alice", "T-9", RequestStatus.APPROVED, now().plusSeconds(60),
                now().plus(Duration.ofHours(1)), true));
        assertThat(refuseEvent(403, allowed("r9", now(), "SELECT 1")).getMessage()).contains("not started");
        // At the very end of the window the grant is over (accessExpiresAt is exclusive).
        clock.set(T0.plus(Duration.ofHours(8)));
        refuse(403, "alice", new AuditBatch("sales", List.of(allowed("r1", now(), "SELECT 1")), List.of()));
    }
}

package dev.lockbox.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockbox.api.audit.ActionClass;
import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.audit.AuditEventSubmission;
import dev.lockbox.api.audit.AuditHashChain;
import dev.lockbox.api.audit.AuditOutcome;
import dev.lockbox.api.audit.Decision;
import dev.lockbox.api.request.RequestStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** Grants, submissions and chain checks shared by the audit tests. */
final class AuditFixtures {
    static final Instant T0 = Instant.parse("2025-03-01T09:00:00Z");

    private AuditFixtures() {}

    /** A map-backed grant directory, as the request feature would answer it. */
    static final class Grants implements GrantDirectory {
        private final Map<String, GrantRecord> byId = new ConcurrentHashMap<>();

        GrantRecord approve(String requestId, String environment, String engineer, boolean recordParameters) {
            GrantRecord g = new GrantRecord(requestId, environment, engineer, "TICKET-" + requestId,
                    RequestStatus.APPROVED, T0, T0.plus(Duration.ofHours(8)), recordParameters);
            byId.put(requestId, g);
            return g;
        }

        void put(GrantRecord g) {
            byId.put(g.requestId(), g);
        }

        @Override
        public Optional<GrantRecord> find(String requestId) {
            return Optional.ofNullable(byId.get(requestId));
        }
    }

    /**
     * Journal settings under which the writer writes only when something reads (or on close): every batch
     * after the first is then decided against the journal's overlay, not the store.
     */
    static AuditIntakeJournal.Settings journalWritingOnlyWhenRead() {
        return AuditIntakeJournal.Settings.defaults().withLinger(Duration.ofHours(1));
    }

    static AuditEventSubmission allowed(String requestId, Instant at, String statement) {
        return new AuditEventSubmission(UUID.randomUUID().toString(), at, requestId, "sales", "lb_grant_1",
                "session-1", "laptop-7", "DBeaver", "SELECT", ActionClass.READ, List.of("public.orders"),
                statement, "[1,\"x\"]", Decision.ALLOWED, null);
    }

    static AuditEventSubmission denied(String requestId, Instant at, String statement) {
        return new AuditEventSubmission(UUID.randomUUID().toString(), at, requestId, "sales", "lb_grant_1",
                "session-1", "laptop-7", "DBeaver", "DELETE", ActionClass.WRITE, List.of("public.orders"),
                statement, null, Decision.DENIED, "read-only grant");
    }

    static AuditOutcome ok(AuditEventSubmission e, long rows) {
        return new AuditOutcome(e.eventId(), true, rows, null, 1.25);
    }

    /** Asserts that {@code events} are the whole chain of one environment from sequence 1: gap-free, linked, intact. */
    static void assertWholeChain(List<? extends AuditEvent> events) {
        String prev = AuditHashChain.GENESIS;
        for (int i = 0; i < events.size(); i++) {
            AuditEvent e = events.get(i);
            assertThat(e.sequence()).as("sequence at index %d", i).isEqualTo(i + 1L);
            assertThat(e.prevHash()).as("prev_hash of %d", e.sequence()).isEqualTo(prev);
            assertThat(AuditHashChain.isIntact(e)).as("hash of %d", e.sequence()).isTrue();
            prev = e.hash();
        }
    }
}

package dev.lockbox.server.audit;

import dev.lockbox.api.audit.ActionClass;
import dev.lockbox.api.audit.AuditBatch;
import dev.lockbox.api.audit.AuditEventSubmission;
import dev.lockbox.api.audit.AuditOutcome;
import dev.lockbox.api.audit.Decision;
import dev.lockbox.api.audit.EventIds;
import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.server.testing.ApiClient;
import dev.lockbox.server.testing.TestServer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Audit batch bodies for the tests that compare two ways into the audit ingest (Javalin's route, the
 * handler in front of it, the audit channel): each way must give the same answer to each body.
 */
final class AuditPostBodies {
    private AuditPostBodies() {}

    /** What the audit ingest answers to some of the {@link #forParity} bodies, whichever way they come in. */
    static final Map<String, Integer> EXPECTED_STATUSES = Map.of(
            "a new event with its outcome", 200,
            "a retry of a stored event", 200,
            "an event under someone else's grant", 403,
            "an outcome of an unknown event", 400,
            "another environment", 403,
            "malformed JSON", 400,
            "an empty body", 400);

    /**
     * Accepted and refused bodies by what they are. A new event gets a new id on each call, so it is
     * stored each time with equal acknowledgements; refused bodies are the same text every time (a
     * refusal names the event ids it is about). {@code stored} is an event of {@code mine} already in the log.
     */
    static Map<String, Supplier<String>> forParity(TestServer s, AccessRequest mine, AccessRequest someoneElses,
                                                   AuditEventSubmission stored) {
        Map<String, Supplier<String>> bodies = new LinkedHashMap<>();
        bodies.put("a new event with its outcome", () -> json(sealedBatch(s, mine.id())));
        bodies.put("a retry of a stored event", () -> json(new AuditBatch(TestServer.ENV, List.of(stored), List.of())));
        String foreign = json(new AuditBatch(TestServer.ENV, List.of(event(s, someoneElses.id(), "SELECT 2")), List.of()));
        bodies.put("an event under someone else's grant", () -> foreign);
        String unknownOutcome = json(new AuditBatch(TestServer.ENV, List.of(),
                List.of(new AuditOutcome(EventIds.next(), true, 1L, null, 0.1))));
        bodies.put("an outcome of an unknown event", () -> unknownOutcome);
        String elsewhere = json(new AuditBatch("staging", List.of(event(s, mine.id(), "SELECT 3")), List.of()));
        bodies.put("another environment", () -> elsewhere);
        bodies.put("no environment", () -> "{\"events\":[],\"outcomes\":[]}");
        bodies.put("an unknown field", () -> "{\"environment\":\"prod-db\",\"events\":[],\"outcomes\":[],\"extra\":1}");
        bodies.put("a number for a string", () -> "{\"environment\":7,\"events\":[],\"outcomes\":[]}");
        bodies.put("malformed JSON", () -> "{\"environment\":\"prod-db\",");
        bodies.put("an empty body", () -> "");
        bodies.put("not a UUID", () -> json(new AuditBatch(TestServer.ENV, List.of(), List.of(
                new AuditOutcome("not-a-uuid", true, 1L, null, 0.1)))));
        return bodies;
    }

    static AccessRequest approved(TestServer s, String engineer) {
        AccessRequest r = s.request(engineer, TestServer.ENV);
        return s.decide("alice", r.id(), "approve");
    }

    static AuditEventSubmission event(TestServer s, String requestId, String statement) {
        return new AuditEventSubmission(EventIds.next(), s.clock.instant(), requestId, "app", "eng", "session-1", "laptop",
                "psql", "SELECT", ActionClass.READ, List.of("t"), statement, "[1]", Decision.ALLOWED, null);
    }

    /** One event and its outcome: sealed at once, so it shows in the log. */
    static AuditBatch sealedBatch(TestServer s, String requestId) {
        AuditEventSubmission e = new AuditEventSubmission(EventIds.next(), s.clock.instant(), requestId, "app", "eng",
                "session-1", "laptop", "psql", "UPDATE", ActionClass.WRITE, List.of("t"), "UPDATE t SET x = 1", null,
                Decision.ALLOWED, null);
        return new AuditBatch(TestServer.ENV, List.of(e), List.of(new AuditOutcome(e.eventId(), true, 1L, null, 0.2)));
    }

    static String json(Object value) {
        try {
            return ApiClient.JSON.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.lockbox.server.request;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockbox.api.admin.PolicyMode;
import dev.lockbox.api.admin.Role;
import dev.lockbox.api.grant.ActiveGrant;
import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.api.request.RequestHistoryEntry;
import dev.lockbox.api.request.RequestStatus;
import dev.lockbox.server.testing.ApiClient.Response;
import dev.lockbox.server.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every transition of DESIGN.md, and every illegal one (409, nothing changed), over HTTP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RequestLifecycleTest {
    @TempDir
    static Path dir;
    static TestServer s;
    static int envCounter;

    @BeforeAll
    static void start() {
        s = new TestServer(dir).withCast();
        s.user("erin", List.of(Role.APPROVER, Role.ENGINEER), "erin@example.com");
        s.user("frank", List.of(Role.APPROVER), null);
        s.user("root2", List.of(Role.ADMIN, Role.ENGINEER), null);
    }

    @AfterAll
    static void stop() {
        if (s != null) s.close(); // null when the PostgreSQL run is skipped
    }

    /** A fresh environment per test so open requests of one test never block another. */
    static String freshEnv() {
        String env = "env-" + (++envCounter);
        s.environment(env, List.of("alice", "erin"));
        return env;
    }

    @Test
    void pendingThenApprovedOpensTheWindowAtApprovalTime() {
        String env = freshEnv();
        AccessRequest r = s.request("bob", env);
        assertThat(r.status()).isEqualTo(RequestStatus.PENDING);
        assertThat(r.requestExpiresAt()).isEqualTo(r.createdAt().plus(Duration.ofHours(12)));
        assertThat(r.accessStartsAt()).isNull();
        s.clock.advance(Duration.ofMinutes(30));

        AccessRequest approved = s.decide("alice", r.id(), "approve");
        assertThat(approved.status()).isEqualTo(RequestStatus.APPROVED);
        assertThat(approved.decidedBy()).isEqualTo("alice");
        assertThat(approved.accessStartsAt()).isEqualTo(s.clock.instant());
        assertThat(approved.accessExpiresAt()).isEqualTo(s.clock.instant().plus(Duration.ofHours(4)));
        assertThat(approved.history()).extracting(RequestHistoryEntry::action).containsExactly("create", "approve");
        assertThat(approved.history().get(1).comment()).isEqualTo("ok");

        ActiveGrant g = s.api.get(s.token("bob"), "/api/grants/active?environment=" + env).expect(200).as(ActiveGrant.class);
        assertThat(g.requestId()).isEqualTo(r.id());
        assertThat(g.approvedByPolicy()).isFalse();
        assertThat(g.accessExpiresAt()).isEqualTo(approved.accessExpiresAt());
    }

    @Test
    void denyCancelAndRevokeEndInTheirStatus() {
        AccessRequest denied = s.request("bob", freshEnv());
        assertThat(s.decide("alice", denied.id(), "deny").status()).isEqualTo(RequestStatus.DENIED);

        AccessRequest cancelled = s.request("bob", freshEnv());
        assertThat(s.decide("bob", cancelled.id(), "cancel").status()).isEqualTo(RequestStatus.CANCELLED);

        String env = freshEnv();
        AccessRequest revoked = s.request("bob", env);
        s.decide("alice", revoked.id(), "approve");
        AccessRequest after = s.decide("erin", revoked.id(), "revoke");
        assertThat(after.status()).isEqualTo(RequestStatus.REVOKED);
        assertThat(after.history()).extracting(RequestHistoryEntry::actor).containsExactly("bob", "alice", "erin");
        Response refused = s.api.get(s.token("bob"), "/api/grants/active?environment=" + env).expect(404);
        assertThat(refused.error().error()).isEqualTo("access_revoked");
    }

    @Test
    void adminMayRevokeButNotApprove() {
        String env = freshEnv();
        AccessRequest r = s.request("bob", env);
        Response approveByAdmin = s.api.post(TestServer.ADMIN_TOKEN, "/api/requests/" + r.id() + "/approve", null).expect(403);
        assertThat(approveByAdmin.error().message()).contains("designated approver");
        s.decide("alice", r.id(), "approve");
        assertThat(s.decide("admin", r.id(), "revoke").status()).isEqualTo(RequestStatus.REVOKED);
    }

    @Test
    void requesterNeverDecidesItsOwnRequestWhateverItsRoles() {
        String env = freshEnv();
        AccessRequest own = s.request("erin", env); // erin is also a designated approver of env
        for (String action : List.of("approve", "deny", "revoke")) {
            Response r = s.api.post(s.token("erin"), "/api/requests/" + own.id() + "/" + action, null).expect(403);
            assertThat(r.error().message()).contains("never decides its own");
        }
        assertThat(s.get(own.id()).status()).isEqualTo(RequestStatus.PENDING);
        s.decide("alice", own.id(), "approve");
        s.api.post(s.token("erin"), "/api/requests/" + own.id() + "/revoke", null).expect(403);
        String env2 = freshEnv();
        AccessRequest adminOwn = s.request("root2", env2);
        s.decide("alice", adminOwn.id(), "approve");
        s.api.post(s.token("root2"), "/api/requests/" + adminOwn.id() + "/revoke", null).expect(403);
        assertThat(s.get(adminOwn.id()).status()).isEqualTo(RequestStatus.APPROVED);
    }

    @Test
    void onlyDesignatedApproversDecide() {
        String env = freshEnv();
        AccessRequest r = s.request("bob", env);
        s.api.post(s.token("frank"), "/api/requests/" + r.id() + "/approve", null).expect(403); // approver, not designated
        s.api.post(s.token("carol"), "/api/requests/" + r.id() + "/approve", null).expect(403); // engineer
        s.api.post(s.token("dave"), "/api/requests/" + r.id() + "/deny", null).expect(403); // auditor
        s.api.post(s.token("alice"), "/api/requests/" + r.id() + "/cancel", null).expect(403); // only the requester cancels
        assertThat(s.get(r.id()).status()).isEqualTo(RequestStatus.PENDING);
        assertThat(s.get(r.id()).history()).hasSize(1);
    }

    static Stream<Arguments> everyStatusTimesEveryAction() {
        List<String> actions = List.of("approve", "deny", "revoke", "cancel");
        Map<RequestStatus, List<String>> legal = Map.of(
                RequestStatus.PENDING, List.of("approve", "deny", "cancel"),
                RequestStatus.APPROVED, List.of("revoke"));
        return Stream.of(RequestStatus.values()).flatMap(st -> actions.stream()
                .map(a -> Arguments.of(st, a, legal.getOrDefault(st, List.of()).contains(a))));
    }

    @ParameterizedTest(name = "{0} --{1}--> legal={2}")
    @MethodSource("everyStatusTimesEveryAction")
    void transitionTable(RequestStatus from, String action, boolean legal) {
        String env = freshEnv();
        AccessRequest r = inStatus(from, env);
        AccessRequest before = s.get(r.id());
        assertThat(before.status()).isEqualTo(from);
        String actor = action.equals("cancel") ? "bob" : "alice";
        Response answer = s.api.post(s.token(actor), "/api/requests/" + r.id() + "/" + action, Map.of("comment", "x"));
        if (legal) {
            assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        } else {
            assertThat(answer.status()).as(answer.body()).isEqualTo(409);
            assertThat(answer.error().error()).isEqualTo("wrong_state");
            assertThat(s.get(r.id())).isEqualTo(before);
        }
    }

    @Test
    void schedulerExpiresPendingRequestsExactlyAtRequestExpiresAt() {
        String env = freshEnv();
        AccessRequest r = s.request("bob", env);
        s.clock.set(r.requestExpiresAt().minusMillis(1));
        s.server.tick();
        assertThat(s.get(r.id()).status()).isEqualTo(RequestStatus.PENDING);
        s.clock.set(r.requestExpiresAt());
        assertThat(s.server.tick().requestsExpired()).isGreaterThanOrEqualTo(1);
        AccessRequest expired = s.get(r.id());
        assertThat(expired.status()).isEqualTo(RequestStatus.EXPIRED);
        assertThat(expired.decidedBy()).isEqualTo("scheduler");
        assertThat(expired.history()).extracting(RequestHistoryEntry::action).containsExactly("create", "expire");
        assertThat(s.api.get(s.token("bob"), "/api/grants/active?environment=" + env).expect(404).error().error()).isEqualTo("request_expired");
        assertThat(s.audit.sealCalls).contains(r.requestExpiresAt());
    }

    @Test
    void approvingADueRequestBeforeTheSchedulerRanExpiresIt() {
        AccessRequest r = s.request("bob", freshEnv());
        s.clock.set(r.requestExpiresAt().plusSeconds(1));
        Response late = s.api.post(s.token("alice"), "/api/requests/" + r.id() + "/approve", null).expect(409);
        assertThat(late.error().message()).contains("expired");
        assertThat(s.get(r.id()).status()).isEqualTo(RequestStatus.EXPIRED);
    }

    @Test
    void schedulerEndsAccessAtAccessExpiresAt() {
        String env = freshEnv();
        AccessRequest r = s.request("bob", env);
        AccessRequest approved = s.decide("alice", r.id(), "approve");
        s.clock.set(approved.accessExpiresAt().minusMillis(1));
        s.server.tick();
        s.api.get(s.token("bob"), "/api/grants/active?environment=" + env).expect(200);
        s.clock.set(approved.accessExpiresAt());
        // The window is closed by time even before the scheduler records it.
        assertThat(s.api.get(s.token("bob"), "/api/grants/active?environment=" + env).expect(404).error().error()).isEqualTo("access_expired");
        assertThat(s.server.tick().accessEnded()).isGreaterThanOrEqualTo(1);
        AccessRequest ended = s.get(r.id());
        assertThat(ended.status()).isEqualTo(RequestStatus.APPROVED);
        assertThat(ended.history()).extracting(RequestHistoryEntry::action).containsExactly("create", "approve", "access_ended");
        s.server.tick();
        assertThat(s.get(r.id()).history()).hasSize(3); // recorded once
        s.api.post(s.token("alice"), "/api/requests/" + r.id() + "/revoke", null).expect(409);
    }

    @Test
    void unprotectedEnvironmentGetsAGrantAtOnceApprovedByPolicy() {
        String env = freshEnv();
        String protectedEnv = freshEnv();
        s.policy(PolicyMode.SELECTED, List.of(protectedEnv));
        try {
            AccessRequest r = s.request("bob", env);
            assertThat(r.status()).isEqualTo(RequestStatus.APPROVED);
            assertThat(r.decidedBy()).isEqualTo("policy");
            assertThat(r.accessStartsAt()).isEqualTo(s.clock.instant());
            assertThat(r.history()).singleElement().satisfies(h -> {
                assertThat(h.actor()).isEqualTo("policy");
                assertThat(h.toStatus()).isEqualTo(RequestStatus.APPROVED);
            });
            ActiveGrant g = s.api.get(s.token("bob"), "/api/grants/active?environment=" + env).expect(200).as(ActiveGrant.class);
            assertThat(g.approvedByPolicy()).isTrue();
            assertThat(s.request("bob", protectedEnv).status()).isEqualTo(RequestStatus.PENDING);
        } finally {
            s.policy(PolicyMode.ALL, List.of());
        }
    }

    @Test
    void aSecondOpenRequestOnTheSameEnvironmentIsRefused() {
        String env = freshEnv();
        AccessRequest first = s.request("bob", env);
        Response again = s.api.post(s.token("bob"), "/api/requests", Map.of("environment", env, "supportTicketId", "T",
                "justification", "j", "accessLevel", "READ_ONLY", "accessPeriod", "PT1H")).expect(409);
        assertThat(again.error().message()).contains(first.id());
        s.request("carol", env); // another engineer is not blocked
    }

    @Test
    void listsAreFilteredAndLimitedToWhatTheCallerMaySee() {
        String env = freshEnv();
        AccessRequest mine = s.request("carol", env);
        assertThat(s.list("carol", "?environment=" + env)).extracting(AccessRequest::id).containsExactly(mine.id());
        assertThat(s.list("bob", "?environment=" + env)).isEmpty();
        assertThat(s.list("alice", "?environment=" + env + "&status=PENDING")).extracting(AccessRequest::id).containsExactly(mine.id());
        assertThat(s.list("frank", "?environment=" + env)).isEmpty();
        assertThat(s.list("dave", "?environment=" + env)).hasSize(1);
        assertThat(s.list("admin", "?environment=" + env + "&status=DENIED")).isEmpty();
        s.api.get(s.token("bob"), "/api/requests/" + mine.id()).expect(403);
        s.api.get(s.token("alice"), "/api/requests/" + mine.id()).expect(200);
        s.clock.advance(Duration.ofDays(29));
        assertThat(s.list("admin", "?environment=" + env)).isEmpty();
        assertThat(s.list("admin", "?environment=" + env + "&recentDays=30")).hasSize(1);
    }

    @Test
    void decisionBodiesAreCheckedAndChangeNothingWhenBad() {
        AccessRequest r = s.request("bob", freshEnv());
        assertThat(s.api.post(s.token("alice"), "/api/requests/" + r.id() + "/approve", "{\"comment\":1}").expect(400)
                .error().message()).startsWith("comment:");
        assertThat(s.api.post(s.token("alice"), "/api/requests/" + r.id() + "/approve", "{\"approve\":true}").expect(400)
                .error().message()).startsWith("approve:");
        assertThat(s.get(r.id()).status()).isEqualTo(RequestStatus.PENDING);
        s.api.post(s.token("alice"), "/api/requests/no-such-id/approve", null).expect(404);
        assertThat(s.api.post(s.token("alice"), "/api/requests/" + r.id() + "/approve", null).expect(200).as(AccessRequest.class)
                .history().get(1).comment()).isNull();
    }

    /** Brings a new request of bob on {@code env} into {@code status} through the API and the scheduler. */
    static AccessRequest inStatus(RequestStatus status, String env) {
        AccessRequest r = s.request("bob", env);
        switch (status) {
            case PENDING -> { }
            case APPROVED -> s.decide("alice", r.id(), "approve");
            case DENIED -> s.decide("alice", r.id(), "deny");
            case CANCELLED -> s.decide("bob", r.id(), "cancel");
            case REVOKED -> {
                s.decide("alice", r.id(), "approve");
                s.decide("alice", r.id(), "revoke");
            }
            case EXPIRED -> {
                s.clock.set(r.requestExpiresAt());
                s.server.tick();
            }
        }
        return r;
    }
}

package dev.lockbox.server.grant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.grant.GrantRefusal;
import dev.lockbox.api.grant.GrantStatus;
import dev.lockbox.api.grant.SessionGrant;
import dev.lockbox.api.grant.SessionOpen;
import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.api.request.RequestStatus;
import dev.lockbox.server.audit.SessionEvent;
import dev.lockbox.server.testing.ApiClient.Response;
import dev.lockbox.server.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST/DELETE /api/sessions} and grant status: every refusal reason, and what is audited. */
class SessionsEndpointTest {
    @TempDir
    Path dir;
    TestServer s;

    @BeforeEach
    void start() {
        s = new TestServer(dir).withCast();
    }

    @AfterEach
    void stop() {
        if (s != null) s.close(); // null when the PostgreSQL run is skipped
    }

    Response open(String user, String env, String sessionId) {
        return s.api.post(s.token(user), "/api/sessions", new SessionOpen(env, sessionId, "laptop-7", "DBeaver", "0.1.0"));
    }

    void assertRefused(GrantRefusal reason, String messagePart) {
        String sid = UUID.randomUUID().toString();
        Response r = open("bob", TestServer.ENV, sid).expect(404);
        assertThat(r.error().error()).isEqualTo(reason.code());
        assertThat(r.error().message()).contains(messagePart);
        SessionEvent denied = s.audit.sessionEvents.get(s.audit.sessionEvents.size() - 1);
        assertThat(denied.action()).isEqualTo(AuditEvent.CONNECT_DENIED);
        assertThat(denied.sessionId()).isEqualTo(sid);
        assertThat(denied.engineer()).isEqualTo("bob");
        assertThat(denied.requestId()).isNull();
        assertThat(denied.denyReason()).startsWith(reason.code());
        Response active = s.api.get(s.token("bob"), "/api/grants/active?environment=" + TestServer.ENV).expect(404);
        assertThat(active.error().error()).isEqualTo(reason.code());
    }

    @Test
    void everyRefusalReasonIsAnsweredAndAuditedAsConnectDenied() {
        assertRefused(GrantRefusal.NO_REQUEST, "file one");

        AccessRequest pending = s.request("bob", TestServer.ENV);
        assertRefused(GrantRefusal.REQUEST_PENDING, "pending until " + pending.requestExpiresAt() + ": ask an approver of prod-db [alice]");

        s.decide("alice", pending.id(), "deny");
        assertRefused(GrantRefusal.REQUEST_DENIED, "denied by alice");

        AccessRequest cancelled = s.request("bob", TestServer.ENV);
        s.decide("bob", cancelled.id(), "cancel");
        assertRefused(GrantRefusal.REQUEST_CANCELLED, "cancelled");

        s.clock.advance(Duration.ofSeconds(1));
        AccessRequest expiring = s.request("bob", TestServer.ENV);
        s.clock.set(expiring.requestExpiresAt());
        assertRefused(GrantRefusal.REQUEST_EXPIRED, "expired at " + expiring.requestExpiresAt()); // before the scheduler ran
        s.server.tick();
        assertRefused(GrantRefusal.REQUEST_EXPIRED, "expired at " + expiring.requestExpiresAt());

        s.clock.advance(Duration.ofSeconds(1));
        AccessRequest revoked = s.request("bob", TestServer.ENV);
        s.decide("alice", revoked.id(), "approve");
        s.decide("alice", revoked.id(), "revoke");
        assertRefused(GrantRefusal.ACCESS_REVOKED, "revoked");

        s.clock.advance(Duration.ofSeconds(1));
        AccessRequest ended = s.request("bob", TestServer.ENV);
        AccessRequest approved = s.decide("alice", ended.id(), "approve");
        s.clock.set(approved.accessExpiresAt());
        assertRefused(GrantRefusal.ACCESS_EXPIRED, "ended at " + approved.accessExpiresAt());
    }

    @Test
    void unknownEnvironmentIs403AndNotAudited() {
        Response r = open("bob", "no-such-env", UUID.randomUUID().toString()).expect(403);
        assertThat(r.error().error()).isEqualTo("unknown_environment");
        assertThat(s.audit.sessionEvents).isEmpty();
    }

    @Test
    void connectHandsOutTheTargetAndDisconnectIsRecordedOnce() {
        AccessRequest r = s.request("bob", TestServer.ENV);
        s.decide("alice", r.id(), "approve");
        String sid = UUID.randomUUID().toString();
        SessionGrant g = open("bob", TestServer.ENV, sid).expect(201).as(SessionGrant.class);
        assertThat(g.sessionId()).isEqualTo(sid);
        assertThat(g.grant().requestId()).isEqualTo(r.id());
        assertThat(g.target().jdbcUrl()).isEqualTo("jdbc:h2:mem:prod-db");
        assertThat(g.target().user()).isEqualTo("eng_prod_db");
        assertThat(g.target().password()).isEqualTo("s3cret-prod-db");
        SessionEvent connect = s.audit.sessionEvents.get(0);
        assertThat(connect.action()).isEqualTo(AuditEvent.CONNECT);
        assertThat(connect.requestId()).isEqualTo(r.id());
        assertThat(connect.supportTicketId()).isEqualTo("TICKET-1");
        assertThat(connect.dbUser()).isEqualTo("eng_prod_db");
        assertThat(connect.clientHost()).isEqualTo("laptop-7");

        open("bob", TestServer.ENV, sid).expect(409); // a session id is used once
        s.api.delete(s.token("carol"), "/api/sessions/" + sid).expect(403);
        s.api.delete(s.token("bob"), "/api/sessions/" + sid).expect(204);
        s.api.delete(s.token("bob"), "/api/sessions/" + sid).expect(204);
        assertThat(s.audit.sessionEvents).extracting(SessionEvent::action).containsExactly(AuditEvent.CONNECT, AuditEvent.DISCONNECT);
        assertThat(s.audit.sessionEvents.get(1).supportTicketId()).isEqualTo("TICKET-1");
    }

    @Test
    void revocationAndEndOfWindowCloseOpenSessionsAndFlipTheStatus() {
        AccessRequest r = s.request("bob", TestServer.ENV);
        AccessRequest approved = s.decide("alice", r.id(), "approve");
        open("bob", TestServer.ENV, "s-1").expect(201);
        open("bob", TestServer.ENV, "s-2").expect(201);
        GrantStatus st = s.api.get(s.token("bob"), "/api/grants/" + r.id() + "/status").expect(200).as(GrantStatus.class);
        assertThat(st.active()).isTrue();
        assertThat(st.serverTime()).isEqualTo(s.clock.instant());
        assertThat(st.accessExpiresAt()).isEqualTo(approved.accessExpiresAt());
        s.api.get(s.token("carol"), "/api/grants/" + r.id() + "/status").expect(403);

        s.decide("alice", r.id(), "revoke");
        st = s.api.get(s.token("bob"), "/api/grants/" + r.id() + "/status").expect(200).as(GrantStatus.class);
        assertThat(st.active()).isFalse();
        assertThat(st.status()).isEqualTo(RequestStatus.REVOKED);
        assertThat(s.audit.sessionEvents).extracting(SessionEvent::action)
                .containsExactly(AuditEvent.CONNECT, AuditEvent.CONNECT, AuditEvent.DISCONNECT, AuditEvent.DISCONNECT);
        s.api.delete(s.token("bob"), "/api/sessions/s-1").expect(204);
        assertThat(s.audit.sessionEvents).hasSize(4); // already closed by the revocation

        s.clock.advance(Duration.ofSeconds(1));
        AccessRequest second = s.request("bob", TestServer.ENV);
        AccessRequest approved2 = s.decide("alice", second.id(), "approve");
        open("bob", TestServer.ENV, "s-3").expect(201);
        s.clock.set(approved2.accessExpiresAt());
        assertThat(s.api.get(s.token("bob"), "/api/grants/" + second.id() + "/status").expect(200).as(GrantStatus.class).active()).isFalse();
        s.server.tick();
        assertThat(s.audit.sessionEvents.get(s.audit.sessionEvents.size() - 1).action()).isEqualTo(AuditEvent.DISCONNECT);
        assertThat(s.audit.sessionEvents.get(s.audit.sessionEvents.size() - 1).sessionId()).isEqualTo("s-3");
    }

    @Test
    void grantLifecycleListenerHearsStartsAndEnds() {
        s.server.close(); // not s.close(): that would also drop a PostgreSQL store the restart needs
        List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        GrantLifecycleListener listener = new GrantLifecycleListener() {
            @Override
            public void grantStarted(AccessRequest grant) {
                heard.add("start " + grant.id());
            }

            @Override
            public void grantEnded(AccessRequest grant) {
                heard.add("end " + grant.id() + " " + grant.status());
            }
        };
        s.server = dev.lockbox.server.LockboxServer.start(s.config, s.clock, (ds, c, g, t) -> s.audit, listener);
        s.api = new dev.lockbox.server.testing.ApiClient(s.server.baseUrl());
        AccessRequest r = s.request("bob", TestServer.ENV);
        s.decide("alice", r.id(), "approve");
        s.decide("alice", r.id(), "revoke");
        s.clock.advance(Duration.ofSeconds(1));
        AccessRequest r2 = s.request("bob", TestServer.ENV);
        AccessRequest a2 = s.decide("alice", r2.id(), "approve");
        s.clock.set(a2.accessExpiresAt());
        s.server.tick();
        assertThat(heard).containsExactly("start " + r.id(), "end " + r.id() + " REVOKED", "start " + r2.id(), "end " + r2.id() + " APPROVED");
    }
}

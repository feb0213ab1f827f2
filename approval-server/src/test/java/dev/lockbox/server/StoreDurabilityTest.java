package dev.lockbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockbox.api.admin.Environment;
import dev.lockbox.api.admin.LockboxPolicy;
import dev.lockbox.api.admin.PolicyChange;
import dev.lockbox.api.admin.PolicyMode;
import dev.lockbox.api.grant.ActiveGrant;
import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.api.request.RequestStatus;
import dev.lockbox.server.testing.TestServer;
import dev.lockbox.server.testing.TestStore;
import com.fasterxml.jackson.core.type.TypeReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whatever the server acknowledged is there after a restart on the same data directory (or PostgreSQL database). */
class StoreDurabilityTest {
    @TempDir
    Path dir;

    @Test
    void everythingAcknowledgedSurvivesARestart() {
        try (TestServer s = new TestServer(dir).withCast()) {
            s.environment("staging", List.of("alice"));
            s.policy(PolicyMode.SELECTED, List.of("prod-db"));
            AccessRequest approved = s.request("bob", "prod-db");
            s.decide("alice", approved.id(), "approve");
            AccessRequest denied = s.request("carol", "prod-db");
            s.decide("alice", denied.id(), "deny");
            AccessRequest byPolicy = s.request("bob", "staging");
            int port = s.server.port();
            if (!s.store.isPostgres()) assertThat(Files.exists(dir.resolve("lockbox.mv.db"))).isTrue();

            s.restart();
            assertThat(s.server.port()).isNotEqualTo(0);
            AccessRequest a = s.get(approved.id());
            assertThat(a.status()).isEqualTo(RequestStatus.APPROVED);
            assertThat(a.history()).hasSize(2);
            assertThat(s.get(denied.id()).status()).isEqualTo(RequestStatus.DENIED);
            assertThat(s.get(byPolicy.id()).decidedBy()).isEqualTo("policy");
            assertThat(s.api.get(s.token("bob"), "/api/grants/active?environment=prod-db").expect(200).as(ActiveGrant.class).requestId())
                    .isEqualTo(approved.id());
            assertThat(s.api.get(TestServer.ADMIN_TOKEN, "/api/policy").expect(200).as(LockboxPolicy.class))
                    .isEqualTo(new LockboxPolicy(PolicyMode.SELECTED, List.of("prod-db")));
            assertThat(s.api.get(TestServer.ADMIN_TOKEN, "/api/policy/history").expect(200).as(new TypeReference<List<PolicyChange>>() {}))
                    .singleElement().satisfies(c -> {
                        assertThat(c.changedBy()).isEqualTo("admin");
                        assertThat(c.before().mode()).isEqualTo(PolicyMode.ALL);
                    });
            Environment env = s.api.get(TestServer.ADMIN_TOKEN, "/api/environments/prod-db").expect(200).as(Environment.class);
            assertThat(env.approvers()).containsExactly("alice");
            assertThat(env.hasTargetCredentials()).isTrue();
            // tokens issued before the restart still work (only their hashes were stored)
            s.api.get(s.token("carol"), "/api/requests").expect(200);
            assertThat(port).isPositive();
        }
    }

    @Test
    void generatedAdminTokenIsPrintedOnceAndWorksAfterRestart() {
        try (TestStore store = TestStore.forRun(ServerConfig.defaults().withPort(0).withDataDir(dir))) {
            generatedAdminTokenWorksAfterRestart(store.config());
        }
    }

    private static void generatedAdminTokenWorksAfterRestart(ServerConfig cfg) {
        String token;
        try (LockboxServer first = LockboxServer.start(cfg, java.time.Clock.systemUTC())) {
            token = first.generatedAdminToken();
            assertThat(token).startsWith("lbx_").hasSizeGreaterThanOrEqualTo(4 + 43);
        }
        try (LockboxServer second = LockboxServer.start(cfg, java.time.Clock.systemUTC())) {
            assertThat(second.generatedAdminToken()).isNull();
            new dev.lockbox.server.testing.ApiClient(second.baseUrl()).get(token, "/api/users").expect(200);
        }
    }
}

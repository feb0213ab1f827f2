package dev.lockbox.server.grant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.api.request.RequestStatus;
import dev.lockbox.server.audit.GrantRecord;
import dev.lockbox.server.testing.TestServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit log's grant directory keeps approved grants for a moment (every audit POST asks); these
 * are the ways a kept grant must stop being used: a grant change in this server at once, a change
 * it was not told about (another replica) within the TTL, and anything not approved is never kept.
 */
class RequestGrantDirectoryTest {
    @TempDir
    Path dir;

    @Test
    void aRevocationHereIsSeenByTheNextLookup() {
        try (TestServer s = new TestServer(dir).withCast()) {
            AccessRequest r = s.request("bob", TestServer.ENV);
            s.decide("alice", r.id(), "approve");
            assertThat(status(s, r)).isEqualTo(RequestStatus.APPROVED);
            assertThat(status(s, r)).isEqualTo(RequestStatus.APPROVED); // kept

            s.decide("alice", r.id(), "revoke");

            assertThat(status(s, r)).isEqualTo(RequestStatus.REVOKED);
        }
    }

    @Test
    void aChangeMadeElsewhereIsSeenWithinTheTtl() throws Exception {
        try (TestServer s = new TestServer(dir).withCast()) {
            AccessRequest r = s.request("bob", TestServer.ENV);
            s.decide("alice", r.id(), "approve");
            long loaded = System.nanoTime();
            assertThat(status(s, r)).isEqualTo(RequestStatus.APPROVED);

            setStatus(s, r, RequestStatus.REVOKED); // as another replica on the same store would, unannounced here
            RequestStatus kept = status(s, r);
            // On a machine slow enough to take the whole TTL for these two steps, the entry is gone already.
            if (System.nanoTime() - loaded < GrantLookup.CACHE_TTL.toNanos()) {
                assertThat(kept).as("kept for up to the TTL").isEqualTo(RequestStatus.APPROVED);
            }

            Thread.sleep(GrantLookup.CACHE_TTL.toMillis() + 100);
            assertThat(status(s, r)).isEqualTo(RequestStatus.REVOKED);
        }
    }

    @Test
    void aGrantNotApprovedIsReadEveryTime() throws Exception {
        try (TestServer s = new TestServer(dir).withCast()) {
            AccessRequest r = s.request("bob", TestServer.ENV);
            assertThat(status(s, r)).isEqualTo(RequestStatus.PENDING);

            setStatus(s, r, RequestStatus.APPROVED);

            assertThat(status(s, r)).isEqualTo(RequestStatus.APPROVED);
            assertThat(s.grants.find("no-such-request")).isEmpty();
        }
    }

    private static RequestStatus status(TestServer s, AccessRequest r) {
        return s.grants.find(r.id()).map(GrantRecord::status).orElseThrow();
    }

    private static void setStatus(TestServer s, AccessRequest r, RequestStatus status) throws SQLException {
        try (Connection c = DriverManager.getConnection(s.config.effectiveStoreUrl(), s.config.storeUser(), s.config.storePassword());
             PreparedStatement ps = c.prepareStatement("UPDATE access_requests SET status = ? WHERE id = ?")) {
            ps.setString(1, status.name());
            ps.setString(2, r.id());
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }
}

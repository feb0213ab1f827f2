package dev.lockbox.server.user;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockbox.api.admin.IssuedToken;
import dev.lockbox.api.admin.NewUser;
import dev.lockbox.api.admin.Role;
import dev.lockbox.api.admin.User;
import dev.lockbox.server.testing.TestServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Users: tokens shown once and stored hashed, rotation, disabling, passwords with a slow KDF. */
class UserTokenTest {
    @TempDir
    Path dir;

    @Test
    void tokensAreStoredHashedRotatedAndRevokedByDisabling() throws Exception {
        try (TestServer s = new TestServer(dir).withCast()) {
            IssuedToken created = s.api.post(TestServer.ADMIN_TOKEN, "/api/users",
                    new NewUser("gina", List.of(Role.ENGINEER, Role.AUDITOR), "gina@example.com", "correct horse battery")).expect(201).as(IssuedToken.class);
            assertThat(created.user().roles()).containsExactlyInAnyOrder(Role.ENGINEER, Role.AUDITOR);
            assertThat(created.token()).startsWith("lbx_");
            s.api.post(TestServer.ADMIN_TOKEN, "/api/users", new NewUser("gina", List.of(Role.ENGINEER), null, null)).expect(409);
            try (Connection c = s.server.dataSource().getConnection();
                 ResultSet rs = c.createStatement().executeQuery("SELECT token_hash, password_hash FROM users WHERE name = 'gina'")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo(ApiToken.hash(created.token())).doesNotContain(created.token());
                assertThat(rs.getString(2)).startsWith("pbkdf2-sha256$600000$");
                assertThat(PasswordHash.matches("correct horse battery", rs.getString(2))).isTrue();
                assertThat(PasswordHash.matches("wrong horse battery", rs.getString(2))).isFalse();
            }
            assertThat(s.api.get(TestServer.ADMIN_TOKEN, "/api/users/gina").expect(200).body()).doesNotContain("token").doesNotContain("password");
            s.api.get(created.token(), "/api/requests").expect(200);

            IssuedToken rotated = s.api.post(TestServer.ADMIN_TOKEN, "/api/users/gina/tokens", null).expect(201).as(IssuedToken.class);
            assertThat(rotated.token()).isNotEqualTo(created.token());
            s.api.get(created.token(), "/api/requests").expect(401);
            s.api.get(rotated.token(), "/api/requests").expect(200);

            s.api.delete(TestServer.ADMIN_TOKEN, "/api/users/gina").expect(204);
            s.api.get(rotated.token(), "/api/requests").expect(401);
            assertThat(s.api.get(TestServer.ADMIN_TOKEN, "/api/users/gina").expect(200).as(User.class).disabled()).isTrue();
            s.api.post(TestServer.ADMIN_TOKEN, "/api/users/gina/tokens", null).expect(409);
            s.api.delete(TestServer.ADMIN_TOKEN, "/api/users/admin").expect(409);
        }
    }

    @Test
    void malformedAuthorizationHeadersAre401() throws Exception {
        try (TestServer s = new TestServer(dir)) {
            for (String header : List.of("Basic YWRtaW46eA==", "Bearer", "Bearer " + "x".repeat(600), TestServer.ADMIN_TOKEN)) {
                var r = s.api.sendBytes("GET", null, "/api/users", null);
                assertThat(r.status()).isEqualTo(401);
                java.net.http.HttpRequest req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(s.server.baseUrl() + "/api/users"))
                        .header("Authorization", header).build();
                int status = java.net.http.HttpClient.newHttpClient().send(req, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
                assertThat(status).as(header).isEqualTo(401);
            }
        }
    }
}

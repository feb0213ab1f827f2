package dev.lockbox.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.server.testing.ApiClient.Response;
import dev.lockbox.server.testing.TestServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each endpoint × admin, approver (alice, designated on prod-db), engineer (bob), auditor (dave),
 * no token and a bad token → the expected status. Write calls carry bodies that are refused
 * after the role check (400/404/409), so the matrix changes no state and order does not matter.
 * The request R belongs to carol (another engineer) and is DENIED.
 */
class AuthorizationMatrixTest {
    @TempDir
    static Path dir;
    static TestServer s;
    static String r;

    @BeforeAll
    static void start() {
        s = new TestServer(dir).withCast();
        AccessRequest req = s.request("carol", TestServer.ENV);
        s.decide("alice", req.id(), "deny");
        r = req.id();
    }

    @AfterAll
    static void stop() {
        if (s != null) s.close(); // null when the PostgreSQL run is skipped
    }

    //                       method, path, body, admin, approver, engineer, auditor
    static final Object[][] MATRIX = {
        {"GET", "/healthz", null, 200, 200, 200, 200},
        {"GET", "/api/users", null, 200, 403, 403, 403},
        {"POST", "/api/users", "{}", 400, 403, 403, 403},
        {"GET", "/api/users/bob", null, 200, 403, 403, 403},
        {"POST", "/api/users/nobody/tokens", null, 404, 403, 403, 403},
        {"DELETE", "/api/users/nobody", null, 404, 403, 403, 403},
        {"GET", "/api/environments", null, 200, 200, 403, 403},
        {"POST", "/api/environments", "{}", 400, 403, 403, 403},
        {"GET", "/api/environments/prod-db", null, 200, 200, 403, 403},
        {"PUT", "/api/environments/prod-db", "{\"name\":\"other\"}", 400, 403, 403, 403},
        {"DELETE", "/api/environments/nope", null, 404, 403, 403, 403},
        {"GET", "/api/policy", null, 200, 403, 403, 403},
        {"PUT", "/api/policy", "{}", 400, 403, 403, 403},
        {"GET", "/api/policy/history", null, 200, 403, 403, 403},
        {"POST", "/api/requests", "{}", 403, 403, 400, 403},
        {"GET", "/api/requests", null, 200, 200, 200, 200},
        {"GET", "/api/requests/R", null, 200, 200, 403, 200},
        {"POST", "/api/requests/R/approve", null, 403, 409, 403, 403},
        {"POST", "/api/requests/R/deny", null, 403, 409, 403, 403},
        {"POST", "/api/requests/R/revoke", null, 409, 409, 403, 403},
        {"POST", "/api/requests/R/cancel", null, 403, 403, 403, 403},
        {"GET", "/api/requests/R/audit", null, 200, 200, 403, 200},
        {"GET", "/api/grants/active?environment=prod-db", null, 403, 403, 404, 403},
        {"GET", "/api/grants/R/status", null, 200, 403, 403, 200},
        {"POST", "/api/sessions", "{}", 403, 403, 400, 403},
        {"DELETE", "/api/sessions/nope", null, 403, 403, 404, 403},
        {"POST", "/api/audit/events", "{\"environment\":\"prod-db\",\"events\":[],\"outcomes\":[]}", 403, 403, 200, 403},
        {"GET", "/api/audit/events?environment=prod-db", null, 200, 403, 403, 200},
    };

    static Stream<Arguments> cases() {
        String[] callers = {"admin", "alice", "bob", "dave"};
        List<Arguments> out = new ArrayList<>();
        for (Object[] row : MATRIX) {
            for (int i = 0; i < callers.length; i++) out.add(Arguments.of(row[0], row[1], row[2], callers[i], row[3 + i]));
            boolean open = row[1].equals("/healthz");
            out.add(Arguments.of(row[0], row[1], row[2], "no token", open ? 200 : 401));
            out.add(Arguments.of(row[0], row[1], row[2], "bad token", open ? 200 : 401));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} as {3} -> {4}")
    @MethodSource("cases")
    void statusFor(String method, String path, String body, String caller, int expected) {
        String token = switch (caller) {
            case "no token" -> null;
            case "bad token" -> "lbx_not-a-real-token-at-all-0000000000000";
            default -> s.token(caller);
        };
        Response answer = s.api.send(method, token, path.replace("/R", "/" + r), body);
        assertThat(answer.status()).as(answer.body()).isEqualTo(expected);
        if (expected >= 400) {
            assertThat(answer.error().error()).isNotBlank();
            assertThat(answer.error().message()).isNotBlank();
        }
    }
}

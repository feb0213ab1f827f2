package dev.lockbox.server.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockbox.api.export.ExportConfig;
import dev.lockbox.api.export.ExportEnvironmentMode;
import dev.lockbox.api.export.ExportStatus;
import dev.lockbox.server.testing.ApiClient.Response;
import dev.lockbox.server.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who may read and change the export configuration, and bad input: 400 naming the field, nothing stored. */
class ExportApiRefusalTest {
    @TempDir
    static Path dir;
    static AuditedServer s;
    static String good;

    @BeforeAll
    static void start() {
        s = new AuditedServer(dir.resolve("data"), new MutableClock(AuditedServer.T0)).withCast();
        good = "{\"destination\":\"" + InServerExportTest.uri(dir.resolve("lake")) + "\",\"environmentMode\":\"SELECTED\","
                + "\"environments\":[\"prod-db\"],\"interval\":\"PT30S\",\"enabled\":true}";
        s.api.put(s.token("admin"), "/api/export", good).expect(200);
    }

    @AfterAll
    static void stop() {
        if (s != null) s.close(); // null when the PostgreSQL run is skipped
    }

    ExportStatus current() {
        return s.api.get(s.token("admin"), "/api/export").expect(200).as(ExportStatus.class);
    }

    @Test
    void onlyAdminsChangeItAndAdminsAndAuditorsReadIt() {
        ExportConfig before = current().config();
        for (String user : List.of("bob", "alice", "dave")) {
            Response r = s.api.put(s.token(user), "/api/export", "{\"interval\":\"PT5S\"}").expect(403);
            assertThat(r.error().error()).isEqualTo("forbidden");
        }
        assertThat(s.api.put(null, "/api/export", "{\"interval\":\"PT5S\"}").expect(401).error().error()).isEqualTo("unauthenticated");
        assertThat(s.api.put("lbx_not-a-token", "/api/export", "{}").status()).isEqualTo(401);
        s.api.get(s.token("dave"), "/api/export").expect(200);
        s.api.get(s.token("bob"), "/api/export").expect(403);
        s.api.get(s.token("alice"), "/api/export").expect(403);
        s.api.get(null, "/api/export").expect(401);
        s.api.get(s.token("dave"), "/api/audit/environments").expect(200);
        s.api.get(s.token("admin"), "/api/audit/environments").expect(200);
        s.api.get(s.token("bob"), "/api/audit/environments").expect(403);
        s.api.get(null, "/api/audit/environments").expect(401);
        assertThat(current().config()).isEqualTo(before);
    }

    @Test
    void badInputIsRefusedNamingTheFieldAndChangesNothing() {
        ExportConfig before = current().config();
        assertThat(before.interval()).isEqualTo(Duration.ofSeconds(30));
        refused("{\"destination\":\"http://lake.example.com/audit\"}", "destination: scheme 'http' is not a lake file system");
        refused("{\"destination\":\"jar:file:/x.jar!/lake\"}", "destination: scheme 'jar'");
        refused("{\"destination\":\"relative/lake\"}", "destination: 'relative/lake' has no scheme");
        refused("{\"destination\":\"\"}", "destination: must not be empty");
        refused("{\"destination\":\"file://somehost/lake\"}", "destination: a file: URI needs an absolute path");
        refused("{\"destination\":\"s3a://bucket/lake\"}", "destination: no Hadoop FileSystem for scheme 's3a'");
        refused("{\"destination\":\"hdfs://user:secret@nn:8020/lake\"}", "destination: must not carry credentials");
        refused("{\"destination\":\"hdfs:///lake\"}", "destination: a hdfs: URI needs a host");
        refused("{\"destination\":\"file:/x y\"}", "destination: not a URI");
        refused("{\"environmentMode\":\"SELECTED\",\"environments\":[\"no-such-env\"]}", "environments: unknown environment(s) [no-such-env]");
        refused("{\"environmentMode\":\"SELECTED\",\"environments\":[]}", "environments: name at least one");
        refused("{\"environmentMode\":\"ALL\",\"environments\":[\"prod-db\"]}", "environments: must be empty when environmentMode is ALL");
        refused("{\"environmentMode\":\"SELECTED\",\"environments\":[\"Prod;DROP\"]}", "environments[0]: 'Prod;DROP' is not a valid environment name");
        refused("{\"environmentMode\":\"SELECTED\",\"environments\":[null]}", "environments[0]: must not be null");
        refused("{\"environmentMode\":\"SOME\"}", "environmentMode: wrong type or value");
        refused("{\"interval\":\"PT0.5S\"}", "interval: PT0.5S is outside PT1S to PT24H");
        refused("{\"interval\":\"P2D\"}", "interval: PT48H is outside");
        refused("{\"interval\":\"-PT5S\"}", "interval: ");
        refused("{\"interval\":\"soon\"}", "interval: ");
        refused("{\"interval\":60}", "interval: ");
        refused("{\"enabled\":\"yes\"}", "enabled: ");
        refused("{\"lake\":\"file:///tmp/lake\"}", "lake: unknown field");
        refused("", "body: a JSON object is required");
        refused("[1]", "body");
        assertThat(current().config()).isEqualTo(before);
    }

    @Test
    void defaultsFillWhatIsLeftOut() {
        try {
            ExportStatus st = s.api.put(s.token("admin"), "/api/export", "{}").expect(200).as(ExportStatus.class);
            assertThat(st.config()).isEqualTo(new ExportConfig(InServerExportTest.uri(dir.resolve("data").toAbsolutePath().resolve("lake")),
                    ExportEnvironmentMode.ALL, List.of(), Duration.ofMinutes(1), true));
        } finally {
            s.api.put(s.token("admin"), "/api/export", good).expect(200);
        }
    }

    private void refused(String body, String message) {
        Response r = s.api.put(s.token("admin"), "/api/export", body).expect(400);
        assertThat(r.error().error()).isEqualTo("invalid");
        assertThat(r.error().message()).startsWith(message.substring(0, message.indexOf(':') + 1)).contains(message);
    }
}

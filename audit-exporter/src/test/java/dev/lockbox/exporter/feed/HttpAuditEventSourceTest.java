package dev.lockbox.exporter.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.lockbox.api.audit.AuditEventPage;
import dev.lockbox.exporter.testing.FeedHttpServer;
import dev.lockbox.exporter.testing.SyntheticAuditFeed;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpAuditEventSourceTest {
    private final SyntheticAuditFeed feed = new SyntheticAuditFeed(5, List.of("prod"), 250,
            Instant.parse("2026-01-01T00:00:00Z"), Duration.ofSeconds(1));
    private FeedHttpServer server;

    @BeforeEach
    void start() throws Exception {
        server = new FeedHttpServer(feed, "auditor-token", 100);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void readsPagesOfSealedEventsWithTheBearerToken() {
        HttpAuditEventSource source = new HttpAuditEventSource(server.uri(), "auditor-token", List.of("prod"));
        AuditEventPage first = source.page("prod", 0, 100);
        assertThat(first.events()).hasSize(100);
        assertThat(first.events()).isEqualTo(feed.page("prod", 0, 100).events());
        AuditEventPage last = source.page("prod", 200, 100);
        assertThat(last.events()).extracting(e -> e.sequence()).startsWith(201L).endsWith(250L);
        assertThat(source.page("prod", 250, 100).events()).isEmpty();
        assertThat(server.requests).contains("/api/audit/events?environment=prod&afterSequence=200&limit=100");
        assertThat(source.environments()).containsExactly("prod");
    }

    @Test
    void aWrongTokenIsAClearError() {
        HttpAuditEventSource source = new HttpAuditEventSource(server.uri(), "stolen", List.of("prod"));
        assertThatThrownBy(() -> source.page("prod", 0, 10)).isInstanceOf(AuditFeedException.class)
                .hasMessageContaining("401").hasMessageContaining("unauthenticated");
    }

    @Test
    void anUnknownEnvironmentIsAClearError() {
        HttpAuditEventSource source = new HttpAuditEventSource(server.uri(), "auditor-token", List.of("qa"));
        assertThatThrownBy(() -> source.page("qa", 0, 10)).isInstanceOf(AuditFeedException.class)
                .hasMessageContaining("404").hasMessageContaining("No environment 'qa'");
    }

    @Test
    void anUnreachableServerIsAClearError() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        HttpAuditEventSource source = new HttpAuditEventSource(URI.create("http://127.0.0.1:" + port),
                "auditor-token", List.of("prod"));
        assertThatThrownBy(() -> source.page("prod", 0, 10)).isInstanceOf(AuditFeedException.class)
                .hasMessageContaining("cannot reach the audit feed");
    }

    @Test
    void anAnswerThatIsNotAPageIsRefused() throws Exception {
        HttpServer odd = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        odd.createContext("/api/audit/events", ex -> {
            byte[] body = "{\"environment\":\"prod\",\"events\":[],\"nextAfterSequence\":\"7\"}"
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        odd.start();
        try {
            HttpAuditEventSource source = new HttpAuditEventSource(
                    URI.create("http://127.0.0.1:" + odd.getAddress().getPort() + "/"), "t", List.of("prod"));
            assertThatThrownBy(() -> source.page("prod", 0, 10)).isInstanceOf(AuditFeedException.class)
                    .hasMessageContaining("not an AuditEventPage");
        } finally {
            odd.stop(0);
        }
    }

    @Test
    void badConfigurationIsRefusedUpFront() {
        assertThatThrownBy(() -> new HttpAuditEventSource(URI.create("ftp://x"), "t", List.of("prod")))
                .hasMessageContaining("http: or https:");
        assertThatThrownBy(() -> new HttpAuditEventSource(server.uri(), " ", List.of("prod")))
                .hasMessageContaining("token");
        assertThatThrownBy(() -> new HttpAuditEventSource(server.uri(), "t", List.of("Prod/../x")))
                .hasMessageContaining("not an environment name");
    }
}

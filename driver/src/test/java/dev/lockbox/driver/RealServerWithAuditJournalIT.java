package dev.lockbox.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockbox.api.request.AccessLevel;
import dev.lockbox.server.LockboxServer;
import dev.lockbox.server.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every test of {@link RealServerIT} again with the audit channel and the server's intake journal on
 * (docs/audit-log.md, "The intake journal"): sync statements are acknowledged from the journal, and
 * whatever reads the audit trail sees every statement acknowledged before it.
 */
class RealServerWithAuditJournalIT extends RealServerIT {

    @Override
    ServerConfig serverConfig(ServerConfig base) {
        return base.withAuditChannelPort(0).withAuditJournal(true);
    }

    @Test
    void statementsAcknowledgedFromTheJournalAreReadBackAndSurviveARestart() throws Exception {
        String requestId = approvedRequest(AccessLevel.READ_ONLY);
        try (Connection c = DriverManager.getConnection(url(null), bob());
             PreparedStatement ps = c.prepareStatement("SELECT name FROM customers WHERE id = ?")) {
            for (int i = 0; i < 30; i++) {
                ps.setInt(1, 1 + i % 2);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                }
                // Read at once, with no waiting: the read makes the journal write what it acknowledged.
                // Each outcome rides with the next statement's event (or a flush tick sent the last one already).
                if (i % 10 == 9) assertThat(selects(requestId)).hasSizeBetween(i, i + 1);
            }
            try (Stream<Path> files = Files.list(server.config().dataDir().resolve("audit-journal"))) {
                assertThat(files.filter(f -> f.toString().endsWith(".journal"))).isNotEmpty();
            }
            int port = server.port();
            ServerConfig config = server.config();
            server.close(); // writes everything acknowledged to the store
            server = LockboxServer.start(config.withPort(port), Clock.systemUTC());
            ps.setInt(1, 1);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
            }
        }
        // The last outcome leaves on the connection's close or the shipper's next tick.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(selects(requestId)).hasSize(31)
                .allSatisfy(e -> assertThat(e.get("succeeded").asBoolean()).isTrue()));
    }

    private List<JsonNode> selects(String requestId) throws Exception {
        return audit(requestId).stream().filter(e -> e.get("action").asText().equals("SELECT")).toList();
    }
}

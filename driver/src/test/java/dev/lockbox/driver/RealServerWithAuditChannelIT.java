package dev.lockbox.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lockbox.api.request.AccessLevel;
import dev.lockbox.server.LockboxServer;
import dev.lockbox.server.ServerConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Every test of {@link RealServerIT} again with the server's audit channel on (docs/audit-log.md,
 * "The audit channel"), and what the channel adds: sync statements' audit batches take it instead
 * of {@code POST /api/audit/events}, and when the channel is gone (the server restarted without it)
 * they take HTTP again without a statement failing or an event missing.
 */
class RealServerWithAuditChannelIT extends RealServerIT {

    @Override
    ServerConfig serverConfig(ServerConfig base) {
        return base.withAuditChannelPort(0);
    }

    @Test
    void syncAuditBatchesTakeTheChannelAndHttpOnceItIsGone() throws Exception {
        String requestId = approvedRequest(AccessLevel.READ_ONLY);
        ListAppender<ILoggingEvent> access = new ListAppender<>();
        Logger accessLogger = (Logger) LoggerFactory.getLogger("dev.lockbox.server.access");
        access.start();
        accessLogger.addAppender(access);
        try (Connection c = DriverManager.getConnection(url("applicationName=channel"), bob());
             PreparedStatement ps = c.prepareStatement("SELECT name FROM customers WHERE id = ?")) {
            select(ps, 20);
            assertThat(server.auditChannelBatches()).isGreaterThanOrEqualTo(20);
            assertThat(lines(access, "CHANNEL /api/audit/events 200")).isGreaterThanOrEqualTo(20);
            assertThat(lines(access, "POST /api/audit/events")).isZero();

            // The same server, same store and HTTP port, without its channel: the driver's next batches
            // find the channel closed and are sent over HTTP; no statement fails.
            int port = server.port();
            ServerConfig config = server.config();
            server.close();
            server = LockboxServer.start(config.withPort(port).withAuditChannelPort(null), Clock.systemUTC());
            access.list.clear();
            select(ps, 20);
            assertThat(lines(access, "POST /api/audit/events 200")).isGreaterThanOrEqualTo(20);
            assertThat(lines(access, "CHANNEL")).isZero();
        } finally {
            accessLogger.detachAppender(access);
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<JsonNode> selects = audit(requestId).stream().filter(e -> e.get("action").asText().equals("SELECT")).toList();
            assertThat(selects).hasSize(40);
            assertThat(selects).allSatisfy(e -> assertThat(e.get("succeeded").asBoolean()).isTrue());
        });
    }

    private static void select(PreparedStatement ps, int times) throws Exception {
        for (int i = 0; i < times; i++) {
            ps.setInt(1, 1 + i % 2);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    private static long lines(ListAppender<ILoggingEvent> access, String prefix) {
        return access.list.stream().map(ILoggingEvent::getFormattedMessage).filter(l -> l.startsWith(prefix)).count();
    }
}

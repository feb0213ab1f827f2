package dev.lockbox.server.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.server.ServerConfig;
import dev.lockbox.server.ServerConfig.SmtpSettings;
import dev.lockbox.server.testing.TestServer;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Notifications over real SMTP (GreenMail in the test), including an SMTP outage. */
class NotificationMailTest {
    @TempDir
    Path dir;
    GreenMail smtp;
    TestServer s;

    @AfterEach
    void stop() {
        if (s != null) s.close();
        if (smtp != null) smtp.stop();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    TestServer server(int smtpPort) {
        SmtpSettings mail = SmtpSettings.of("127.0.0.1", smtpPort, "lockbox@example.com")
                .withRetry(Duration.ofMillis(100), Duration.ofMillis(500));
        return new TestServer(ServerConfig.defaults().withPort(0).withDataDir(dir).withAdminToken(TestServer.ADMIN_TOKEN)
                .withTickInterval(Duration.ofHours(1)).withSmtp(mail)).withCast();
    }

    @Test
    void pendingGoesToApproversAndDecisionsToTheRequester() throws Exception {
        int port = freePort();
        smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        s = server(port);

        AccessRequest r = s.request("bob", TestServer.ENV);
        await().atMost(Duration.ofSeconds(30)).until(() -> smtp.getReceivedMessages().length == 1);
        MimeMessage pending = smtp.getReceivedMessages()[0];
        assertThat(pending.getAllRecipients()[0].toString()).isEqualTo("alice@example.com");
        assertThat(pending.getSubject()).contains("Action needed").contains("bob").contains("prod-db");
        String body = GreenMailUtil.getBody(pending);
        assertThat(body).contains(r.id()).contains("TICKET-1").contains("prod-db").contains("bob").contains("investigate incident")
                .contains("READ_ONLY").contains("PT4H").contains(r.requestExpiresAt().toString());

        s.decide("alice", r.id(), "approve");
        await().atMost(Duration.ofSeconds(30)).until(() -> smtp.getReceivedMessages().length == 2);
        MimeMessage approved = smtp.getReceivedMessages()[1];
        assertThat(approved.getAllRecipients()[0].toString()).isEqualTo("bob@example.com");
        assertThat(approved.getSubject()).contains("Approved");
        assertThat(GreenMailUtil.getBody(approved)).contains("approved by alice").contains(r.id()).contains("TICKET-1");

        s.decide("alice", r.id(), "revoke");
        await().atMost(Duration.ofSeconds(30)).until(() -> smtp.getReceivedMessages().length == 3);
        assertThat(smtp.getReceivedMessages()[2].getSubject()).contains("Revoked");

        s.clock.advance(Duration.ofSeconds(1));
        AccessRequest expiring = s.request("bob", TestServer.ENV);
        s.clock.set(expiring.requestExpiresAt());
        s.server.tick();
        await().atMost(Duration.ofSeconds(30)).until(() -> smtp.getReceivedMessages().length == 5); // pending + expired
        MimeMessage expired = smtp.getReceivedMessages()[4];
        assertThat(expired.getAllRecipients()[0].toString()).isEqualTo("bob@example.com");
        assertThat(expired.getSubject()).contains("Expired");
        // The outbox row is deleted after the SMTP server has accepted the mail, so it may linger a moment.
        await().atMost(Duration.ofSeconds(30)).until(() -> s.server.pendingMails() == 0);
        assertThat(smtp.getReceivedMessages()).hasSize(5); // and nothing was sent twice
    }

    @Test
    void smtpOutageNeitherBlocksNorLosesMail() throws Exception {
        int port = freePort(); // nothing listens there yet: SMTP is down
        s = server(port);
        long t0 = System.nanoTime();
        AccessRequest r = s.request("bob", TestServer.ENV);
        s.decide("alice", r.id(), "deny");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20)); // API never waits for SMTP
        assertThat(s.server.pendingMails()).isEqualTo(2);

        smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> smtp.getReceivedMessages().length == 2);
        // Retries follow each mail's own backoff, so after the outage the two may arrive in either order.
        Map<String, String> subjects = new HashMap<>();
        for (MimeMessage m : smtp.getReceivedMessages()) subjects.put(m.getAllRecipients()[0].toString(), m.getSubject());
        assertThat(subjects).containsOnlyKeys("alice@example.com", "bob@example.com");
        assertThat(subjects.get("alice@example.com")).contains("Action needed");
        assertThat(subjects.get("bob@example.com")).contains("Denied");
        await().atMost(Duration.ofSeconds(30)).until(() -> s.server.pendingMails() == 0);
        assertThat(smtp.getReceivedMessages()).hasSize(2); // each mail once
    }

    @Test
    void mailsQueuedDuringAnOutageSurviveARestart() throws Exception {
        int port = freePort();
        s = server(port);
        s.request("bob", TestServer.ENV);
        assertThat(s.server.pendingMails()).isEqualTo(1);
        s.restart();
        smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> smtp.getReceivedMessages().length == 1);
    }
}

package dev.lockbox.driver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockbox.api.LockboxJson;
import dev.lockbox.api.audit.AuditAck;
import dev.lockbox.api.audit.AuditChannelFrames;
import dev.lockbox.api.audit.AuditChannelHello;
import dev.lockbox.api.audit.AuditChannelReply;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link AuditChannelClient} against a hand-written channel peer: a reply is taken only when it is
 * one, a channel that cannot carry the batch hands it to HTTP (null), and a reply that is garbage or
 * late fails the statement instead (fail-closed). The happy path against the real server is
 * {@code RealServerWithAuditChannelIT}.
 */
class AuditChannelClientTest {
    private static final ObjectMapper JSON = LockboxJson.newMapper();
    private static final byte[] BATCH = "{\"environment\":\"shop\",\"events\":[],\"outcomes\":[]}".getBytes(StandardCharsets.UTF_8);

    private Peer peer;

    @AfterEach
    void tearDown() throws IOException {
        if (peer != null) peer.close();
    }

    private static AuditChannelClient client(int port, int timeoutMs) {
        return new AuditChannelClient("127.0.0.1", port, "token-alice", timeoutMs, JSON.writer(),
                JSON.readerFor(AuditChannelReply.class));
    }

    @Test
    void aBatchIsOneFrameOutAndTheRepliedAckComesBack() throws Exception {
        peer = new Peer(frame -> reply(200, new AuditAck(0, 0, 0)));
        AuditChannelClient c = client(peer.port(), 5_000);
        for (int i = 0; i < 3; i++) {
            assertThat(c.submit(BATCH).ack()).isEqualTo(new AuditAck(0, 0, 0));
        }
        assertThat(peer.frames).hasSize(4);
        assertThat(JSON.readValue(peer.frames.get(0), AuditChannelHello.class).token()).isEqualTo("token-alice");
        assertThat(peer.frames.subList(1, 4)).allSatisfy(f -> assertThat(f).isEqualTo(BATCH));
        assertThat(peer.connections).isEqualTo(1);
    }

    @Test
    void aRefusedHelloIsTheBatchsRefusal() throws Exception {
        peer = new Peer(frame -> "{\"status\":401,\"error\":{\"error\":\"unauthenticated\",\"message\":\"no\"}}");
        AuditChannelReply r = client(peer.port(), 5_000).submit(BATCH);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.error().message()).isEqualTo("no");
    }

    @Test
    void aChannelThatCannotBeReachedHandsTheBatchToHttpAndIsLeftAloneForAWhile() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        AuditChannelClient c = client(closedPort, 2_000);
        assertThat(c.submit(BATCH)).isNull();
        peer = new Peer(closedPort, frame -> reply(200, new AuditAck(0, 0, 0)));
        assertThat(c.submit(BATCH)).as("within the retry interval: not tried").isNull();
        assertThat(peer.connections).isZero();
    }

    @Test
    void aConnectionClosedUnderABatchHandsItToHttp() throws Exception {
        peer = new Peer(frame -> frame.length == BATCH.length ? null : reply(200, null)); // closes on the batch
        assertThat(client(peer.port(), 5_000).submit(BATCH)).isNull();
    }

    @Test
    void aBatchThatFindsTheChannelBusyTakesHttpInsteadOfQueueing() throws Exception {
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        peer = new Peer(frame -> {
            if (frame.length == BATCH.length) {
                held.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return reply(200, new AuditAck(0, 0, 0));
        });
        AuditChannelClient c = client(peer.port(), 5_000);
        java.util.concurrent.CompletableFuture<AuditChannelReply> first = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return c.submit(BATCH);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        held.await();
        assertThat(c.submit(BATCH)).as("another sink's batch is on the wire").isNull();
        release.countDown();
        assertThat(first.get().status()).isEqualTo(200);
        assertThat(c.submit(BATCH).status()).as("free again").isEqualTo(200);
    }

    @Test
    void aKeptOpenConnectionTheServerClosedIsReplacedAtOnce() throws Exception {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        // frames: hello, batch 1, batch 2 (closed unanswered), hello again, batch 2 again
        peer = new Peer(frame -> n.incrementAndGet() == 3 ? null : reply(200, new AuditAck(0, 0, 0)));
        AuditChannelClient c = client(peer.port(), 5_000);
        assertThat(c.submit(BATCH)).isNotNull();
        assertThat(c.submit(BATCH)).as("sent again on a new connection, not handed to HTTP").isNotNull();
        assertThat(peer.connections).isEqualTo(2);
        assertThat(peer.frames).hasSize(5);
    }

    @Test
    void garbageOrALateReplyFailsTheStatementInsteadOfFallingBack() throws Exception {
        peer = new Peer(frame -> frame.length == BATCH.length ? "not json" : reply(200, null));
        assertThatThrownBy(() -> client(peer.port(), 5_000).submit(BATCH))
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08006"))
                .hasMessageContaining("not an audit channel reply");
        peer.close();

        peer = new Peer(frame -> frame.length == BATCH.length ? "{\"status\":0,\"ack\":null,\"error\":null}" : reply(200, null));
        assertThatThrownBy(() -> client(peer.port(), 5_000).submit(BATCH))
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08006"))
                .hasMessageContaining("without a valid status");
        peer.close();

        peer = new Peer(frame -> {
            if (frame.length != BATCH.length) return reply(200, null);
            sleep(3_000);
            return reply(200, new AuditAck(0, 0, 0));
        });
        assertThatThrownBy(() -> client(peer.port(), 300).submit(BATCH))
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08006"))
                .hasMessageContaining("did not acknowledge the audit events within 300 ms");
    }

    @Test
    void onlyAServerReachedOverPlainHttpGetsTheToken() {
        HttpLockboxServerClient https = new HttpLockboxServerClient(URI.create("https://127.0.0.1:8443"), "t",
                Duration.ofSeconds(1));
        https.useAuditChannel(9000);
        assertThat(https.usesAuditChannel()).isFalse();
        HttpLockboxServerClient http = new HttpLockboxServerClient(URI.create("http://127.0.0.1:8470"), "t",
                Duration.ofSeconds(1));
        http.useAuditChannel(null);
        assertThat(http.usesAuditChannel()).isFalse();
        http.useAuditChannel(0);
        assertThat(http.usesAuditChannel()).isFalse();
        http.useAuditChannel(9000);
        assertThat(http.usesAuditChannel()).isTrue();
        http.useAuditChannel(null);
        assertThat(http.usesAuditChannel()).as("a later grant without a channel").isFalse();
    }

    private static String reply(int status, AuditAck ack) {
        try {
            return JSON.writeValueAsString(new AuditChannelReply(status, ack, null));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A channel peer: answers each frame with {@code answer(frame)}, or closes the connection on null. */
    private static final class Peer implements AutoCloseable {
        final List<byte[]> frames = new CopyOnWriteArrayList<>();
        volatile int connections;
        private final ServerSocket socket;

        Peer(Function<byte[], String> answer) throws IOException {
            this(0, answer);
        }

        Peer(int port, Function<byte[], String> answer) throws IOException {
            socket = new ServerSocket(port, 5, InetAddress.getLoopbackAddress());
            Thread t = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket s = socket.accept()) {
                        connections++;
                        DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
                        DataOutputStream out = new DataOutputStream(s.getOutputStream());
                        byte[] frame;
                        while ((frame = AuditChannelFrames.read(in, AuditChannelFrames.MAX_FRAME)) != null) {
                            frames.add(frame);
                            String a = answer.apply(frame);
                            if (a == null) break;
                            AuditChannelFrames.write(out, a.getBytes(StandardCharsets.UTF_8));
                        }
                    } catch (IOException ignored) {
                        // next connection
                    }
                }
            }, "channel-peer");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}

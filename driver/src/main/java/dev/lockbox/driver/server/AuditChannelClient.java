package dev.lockbox.driver.server;

import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.lockbox.api.audit.AuditChannelFrames;
import dev.lockbox.api.audit.AuditChannelHello;
import dev.lockbox.api.audit.AuditChannelReply;
import dev.lockbox.driver.SqlState;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The driver's end of the server's audit channel (docs/audit-log.md, "The audit channel"): one
 * kept-open TCP connection on which a batch is one frame out and one reply frame back, written and
 * read on the calling thread. {@link HttpLockboxServerClient} uses it for audit batches when the
 * server announced a channel port and the driver reaches the server over plain HTTP.
 *
 * <p>It never decides that a batch is stored when it is not: a reply is the server's answer to that
 * very batch, exactly as an HTTP answer would be. When the channel cannot carry a batch (it cannot
 * connect, the connection broke, or another sink of this client is using it just now),
 * {@link #submit} returns null and the caller sends the batch over HTTP instead; that is safe even
 * for a batch that reached the server before the connection broke, because the server stores events
 * idempotently by event id. A kept-open connection found closed (the server closes idle ones) is
 * replaced at once; after any other failure the channel is left alone for {@value #RETRY_AFTER_MS} ms,
 * twice as long after each further failure in a row (at most {@value #RETRY_AFTER_MAX_MS} ms). It
 * connects with a timeout of at most {@value #CONNECT_TIMEOUT_MS} ms.
 */
final class AuditChannelClient {
    /** The pause after a failure; it doubles with each failure in a row, up to {@link #RETRY_AFTER_MAX_MS}. */
    static final long RETRY_AFTER_MS = 5_000;
    static final long RETRY_AFTER_MAX_MS = 60_000;
    /**
     * Connect timeout: a channel port that drops connection attempts (a firewall, a load balancer
     * that does not forward it) must not hold a statement for the whole {@code connectTimeoutMs}.
     */
    static final int CONNECT_TIMEOUT_MS = 1_000;
    private static final Logger LOG = Logger.getLogger(AuditChannelClient.class.getName());

    private final String host;
    private final int port;
    private final byte[] hello;
    private final int timeoutMs;
    private final ObjectReader replies;
    private final ReentrantLock lock = new ReentrantLock();

    // Guarded by lock.
    private Socket socket;
    private DataInputStream in;
    private DataOutputStream out;
    private long unusableUntilNanos;
    private long pauseMs = RETRY_AFTER_MS;

    AuditChannelClient(String host, int port, String token, int timeoutMs, ObjectWriter writer, ObjectReader replies) {
        this.host = host;
        this.port = port;
        this.timeoutMs = timeoutMs;
        this.replies = replies;
        try {
            this.hello = writer.writeValueAsBytes(new AuditChannelHello(token));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode the audit channel hello", e);
        }
    }

    int port() {
        return port;
    }

    /**
     * Sends one batch (its JSON) and returns the server's reply, or null when the channel cannot be
     * used now (send the batch over HTTP). A refused hello (the token or its role) is returned as the
     * reply to the batch: HTTP would refuse it the same way.
     *
     * @throws SQLException (08006) when the server took the batch but did not answer within the timeout,
     *         like the HTTP call's read timeout: the statement must not run, and waiting again over
     *         HTTP would only double the wait
     */
    AuditChannelReply submit(byte[] batch) throws SQLException {
        if (!lock.tryLock()) return null; // another sink's batch is on the wire: take HTTP rather than queue
        try {
            // A kept-open connection the server has closed meanwhile (idle, restarted) is found out by this
            // batch; it is sent once more on a new connection before HTTP is the way.
            for (int attempt = 0; attempt < 2; attempt++) {
                boolean reused = socket != null;
                if (!reused) {
                    if (System.nanoTime() - unusableUntilNanos < 0) return null;
                    AuditChannelReply refused = connect();
                    if (refused != null) return refused;
                    if (socket == null) return null;
                }
                try {
                    AuditChannelFrames.write(out, batch);
                    AuditChannelReply r = reply();
                    if (r.status() == 401 || r.status() == 403) drop("token refused"); // the server closes after these
                    return r;
                } catch (SocketTimeoutException e) {
                    drop("no reply within " + timeoutMs + " ms");
                    throw SqlState.SERVER_UNAVAILABLE.exception("The Lockbox approval server's audit channel at " + host
                            + ":" + port + " did not acknowledge the audit events within " + timeoutMs
                            + " ms; refusing (fail-closed)", e);
                } catch (IOException e) {
                    if (!reused) {
                        drop(e.toString());
                        return null;
                    }
                    forgetStale(e.toString()); // and try a new connection right away
                }
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** Opens the connection and sends the hello: null when it is ready (or could not open), else the refusal. */
    private AuditChannelReply connect() throws SQLException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port), Math.min(timeoutMs, CONNECT_TIMEOUT_MS));
            s.setSoTimeout(timeoutMs);
            socket = s;
            in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 4 * 1024));
            out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 16 * 1024));
            AuditChannelFrames.write(out, hello);
            AuditChannelReply answer = reply();
            if (answer.status() == 200) {
                pauseMs = RETRY_AFTER_MS;
                return null;
            }
            drop("hello refused with " + answer.status());
            return answer;
        } catch (IOException e) {
            closeQuietly(s); // not yet the connection when connecting failed
            drop(e.toString());
            return null;
        }
    }

    private AuditChannelReply reply() throws IOException, SQLException {
        byte[] frame = AuditChannelFrames.read(in, AuditChannelFrames.MAX_FRAME);
        if (frame == null) throw new IOException("the server closed the audit channel");
        AuditChannelReply r;
        try {
            r = replies.readValue(frame);
        } catch (IOException e) {
            drop("unreadable reply");
            throw SqlState.SERVER_UNAVAILABLE.exception("The Lockbox approval server's audit channel at " + host + ":" + port
                    + " answered something that is not an audit channel reply; refusing (fail-closed)", e);
        }
        if (r == null || r.status() < 100 || r.status() > 599) {
            drop("reply without a status");
            throw SqlState.SERVER_UNAVAILABLE.exception("The Lockbox approval server's audit channel at " + host + ":" + port
                    + " answered without a valid status; refusing (fail-closed)");
        }
        return r;
    }

    /** Closes the connection after a failure; the channel is tried again after a pause. */
    private void drop(String why) {
        LOG.log(Level.FINE, "audit channel " + host + ":" + port + " dropped (" + why + "), using HTTP for a while");
        disconnect();
        pauseAfterFailure();
    }

    /** Closes a kept-open connection the server has closed meanwhile; a new one may be opened at once. */
    private void forgetStale(String why) {
        LOG.log(Level.FINE, "audit channel " + host + ":" + port + " was closed (" + why + "), reconnecting");
        disconnect();
    }

    private void disconnect() {
        closeQuietly(socket);
        socket = null;
        in = null;
        out = null;
    }

    private void pauseAfterFailure() {
        unusableUntilNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pauseMs);
        pauseMs = Math.min(RETRY_AFTER_MAX_MS, pauseMs * 2);
    }

    /** Closes the connection (the client is being replaced, or the JVM is done with it). */
    void close() {
        lock.lock();
        try {
            disconnect();
        } finally {
            lock.unlock();
        }
    }

    private static void closeQuietly(Socket s) {
        if (s == null) return;
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}

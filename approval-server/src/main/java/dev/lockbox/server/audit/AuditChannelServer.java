package dev.lockbox.server.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockbox.api.ApiError;
import dev.lockbox.api.admin.Role;
import dev.lockbox.api.audit.AuditAck;
import dev.lockbox.api.audit.AuditChannelFrames;
import dev.lockbox.api.audit.AuditChannelHello;
import dev.lockbox.api.audit.AuditChannelReply;
import dev.lockbox.server.http.AccessLog;
import dev.lockbox.server.http.ApiException;
import dev.lockbox.server.http.ApiRoutes;
import dev.lockbox.server.http.Authenticator;
import dev.lockbox.server.http.Caller;
import dev.lockbox.server.http.JsonBody;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit channel (docs/audit-log.md, "The audit channel"): the same audit ingest as
 * {@code POST /api/audit/events}, over one kept-open TCP connection per driver audit sink with
 * length-prefixed JSON frames ({@link AuditChannelFrames}) instead of an HTTP exchange per batch.
 *
 * <p>Why: on these machines a sync statement's audit call cost more than the bare loopback round
 * trip it should cost, in HTTP parsing, Jetty's hand-offs between its selector and pool threads,
 * and the JDK's HTTP client on the driver's side (docs/benchmarks.md, "The audit channel"). Here a
 * connection has one blocking thread that reads a frame, ingests it and writes the answer; the
 * driver's thread writes and blocks on the answer.
 *
 * <p>The answers are those of the HTTP route, frame for frame: the hello's token is the bearer token,
 * authenticated by the same {@link Authenticator} (401) and required to hold the engineer role (403);
 * each batch is checked again against the token and role before it is parsed with the server's
 * strict mapper ({@link JsonBody#parse}, the same 400s) and handed to {@link AuditLog#ingest} (its
 * refusals with their status and {@link ApiError}, anything else a logged 500). Each batch gets the
 * route's access log line, with method {@code CHANNEL}. A refused hello or token, an over-long frame
 * (413) and a connection limit reached (503) are answered and the connection closed; a refused batch
 * leaves it open.
 *
 * <p>The channel is plain TCP like the server's HTTP port, and off unless configured
 * ({@code audit-channel-port}).
 */
public final class AuditChannelServer implements AutoCloseable {
    static final String PATH = AuditPostHandler.PATH;
    /** Connections served at once; one more is answered 503 and closed. */
    static final int MAX_CONNECTIONS = 256;
    /** Largest hello frame: a token is at most 512 characters. */
    static final int MAX_HELLO = 4 * 1024;
    /** How long a new connection may take to send its hello (in all: a hello sent a byte at a time is cut off too). */
    static final int HELLO_TIMEOUT_MS = 10_000;
    /** A connection without a frame for this long is closed (the driver opens a new one when it needs it). */
    static final int IDLE_TIMEOUT_MS = 10 * 60_000;
    private static final Logger LOG = LoggerFactory.getLogger(AuditChannelServer.class);

    private final Authenticator authenticator;
    private final AuditLog auditLog;
    private final ObjectMapper mapper;
    private final JsonBody json;
    private final ServerSocket listener;
    private final ThreadPoolExecutor workers;
    private final Thread acceptor;
    /** Closes connections whose hello did not arrive in time. */
    private final ScheduledExecutorService helloDeadlines;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final LongAdder batches = new LongAdder();
    private final int maxConnections;
    private final int helloTimeoutMs;
    private final int idleTimeoutMs;
    private volatile boolean closed;

    private AuditChannelServer(Authenticator authenticator, AuditLog auditLog, ObjectMapper mapper, ServerSocket listener,
                               int maxConnections, int helloTimeoutMs, int idleTimeoutMs) {
        this.authenticator = authenticator;
        this.auditLog = auditLog;
        this.mapper = mapper;
        this.json = new JsonBody(mapper);
        this.listener = listener;
        this.maxConnections = maxConnections;
        this.helloTimeoutMs = helloTimeoutMs;
        this.idleTimeoutMs = idleTimeoutMs;
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(0, maxConnections, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "lockbox-audit-channel-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.acceptor = new Thread(this::acceptLoop, "lockbox-audit-channel-accept");
        this.acceptor.setDaemon(true);
        this.helloDeadlines = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lockbox-audit-channel-deadlines");
            t.setDaemon(true);
            return t;
        });
    }

    /** Listens on {@code host:port} (0 = any free port) and serves connections until {@link #close()}. */
    public static AuditChannelServer start(String host, int port, Authenticator authenticator, AuditLog auditLog,
                                           ObjectMapper mapper) throws IOException {
        return start(host, port, authenticator, auditLog, mapper, MAX_CONNECTIONS, HELLO_TIMEOUT_MS, IDLE_TIMEOUT_MS);
    }

    /** As {@link #start(String, int, Authenticator, AuditLog, ObjectMapper)}, with the limits given (tests). */
    static AuditChannelServer start(String host, int port, Authenticator authenticator, AuditLog auditLog,
                                    ObjectMapper mapper, int maxConnections, int helloTimeoutMs, int idleTimeoutMs)
            throws IOException {
        ServerSocket listener = new ServerSocket();
        try {
            listener.bind(new InetSocketAddress(InetAddress.getByName(host), port), 128);
        } catch (IOException e) {
            listener.close();
            throw new IOException("cannot listen for the audit channel on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        AuditChannelServer server = new AuditChannelServer(authenticator, auditLog, mapper, listener, maxConnections,
                helloTimeoutMs, idleTimeoutMs);
        server.acceptor.start();
        return server;
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Batches answered on the channel so far (for tests and diagnostics). */
    public long batches() {
        return batches.sum();
    }

    /** Connections open now. */
    int openConnections() {
        return open.size();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                if (closed) return;
                LOG.warn("audit channel: accept failed: {}", e.toString());
                pause(); // e.g. out of file descriptors: do not spin on a failing accept
                continue;
            }
            try {
                if (open.size() >= maxConnections) throw new RejectedExecutionException("limit");
                open.add(s);
                workers.execute(() -> serve(s));
            } catch (RejectedExecutionException e) {
                open.remove(s);
                lastWord(s, 503, new ApiError("unavailable", "the audit channel serves at most " + maxConnections
                        + " connections; send audit events over HTTP"));
                closeQuietly(s);
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void serve(Socket s) {
        ScheduledFuture<?> deadline = helloDeadlines.schedule(() -> closeQuietly(s), helloTimeoutMs, TimeUnit.MILLISECONDS);
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout(helloTimeoutMs);
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 16 * 1024));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 4 * 1024));
            byte[] first = AuditChannelFrames.read(in, MAX_HELLO);
            if (first == null) return;
            String token;
            try {
                token = json.parse(first, AuditChannelHello.class).token();
                engineer(token);
            } catch (ApiException refused) {
                reply(out, refused.status(), null, refused.error());
                return;
            } catch (RuntimeException e) {
                LOG.error("audit channel: hello failed", e);
                reply(out, 500, null, ApiRoutes.INTERNAL_ERROR);
                return;
            }
            if (!deadline.cancel(false)) return; // closed meanwhile: the hello came too late
            reply(out, 200, null, null);
            s.setSoTimeout(idleTimeoutMs);
            while (!closed) {
                byte[] frame = AuditChannelFrames.read(in, AuditChannelFrames.MAX_FRAME);
                if (frame == null) return;
                if (!answer(out, token, frame)) return;
            }
        } catch (AuditChannelFrames.FrameTooLarge e) {
            lastWord(s, 413, new ApiError("too_large", e.getMessage() + "; the connection is closed"));
        } catch (SocketTimeoutException e) {
            LOG.debug("audit channel: {} idle, closed", s.getRemoteSocketAddress());
        } catch (IOException e) {
            if (!closed) LOG.debug("audit channel: {} closed: {}", s.getRemoteSocketAddress(), e.toString());
        } finally {
            deadline.cancel(false);
            open.remove(s);
            closeQuietly(s); // after the catch clauses, which may still answer on it (413)
        }
    }

    /**
     * Answers one batch frame as {@code POST /api/audit/events} would; false when the connection must
     * close (the token or its role no longer holds).
     */
    private boolean answer(DataOutputStream out, String token, byte[] frame) throws IOException {
        long start = System.nanoTime();
        Caller caller;
        try {
            caller = engineer(token);
        } catch (ApiException refused) {
            AccessLog.request("CHANNEL", PATH, refused.status(), (System.nanoTime() - start) / 1e6, null);
            reply(out, refused.status(), null, refused.error());
            return false;
        } catch (RuntimeException e) { // the store could not be read for an uncached token
            LOG.error("CHANNEL {} failed", PATH, e);
            AccessLog.request("CHANNEL", PATH, 500, (System.nanoTime() - start) / 1e6, null);
            reply(out, 500, null, ApiRoutes.INTERNAL_ERROR);
            return false;
        }
        batches.increment();
        IngestAnswer a = IngestAnswer.of(auditLog, json, caller.name(), () -> frame, "CHANNEL");
        AccessLog.request("CHANNEL", PATH, a.status(), (System.nanoTime() - start) / 1e6, caller.name());
        reply(out, a.status(), a.ack(), a.error());
        return true;
    }

    /** The token's caller if it holds the engineer role; the route's 401 or 403 otherwise. */
    private Caller engineer(String token) {
        return authenticator.callerOfToken(token).require(Role.ENGINEER);
    }

    private void reply(DataOutputStream out, int status, AuditAck ack, ApiError error) throws IOException {
        AuditChannelFrames.write(out, encode(new AuditChannelReply(status, ack, error)));
    }

    private byte[] encode(AuditChannelReply reply) {
        try {
            return mapper.writeValueAsBytes(reply);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode an audit channel reply", e);
        }
    }

    /** A reply on a connection about to be closed; a peer that is gone is not told. */
    private void lastWord(Socket s, int status, ApiError error) {
        try {
            s.setSoTimeout(1_000);
            reply(new DataOutputStream(new BufferedOutputStream(s.getOutputStream())), status, null, error);
        } catch (IOException ignored) {
            // the peer is gone; nothing to tell it
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Stops listening and closes every connection (a driver's batch in flight fails and is sent over HTTP). */
    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            LOG.debug("audit channel: closing the listener: {}", e.toString());
        }
        open.forEach(AuditChannelServer::closeQuietly);
        workers.shutdownNow();
        helloDeadlines.shutdownNow();
        try {
            acceptor.join(2_000);
            workers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.lockbox.server.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A minimal HTTP/1.1 keep-alive client on one socket: on a 2-core machine the load generator
 * shares the CPUs with the server, so it must cost as little as possible per request (the JDK
 * HttpClient runs a selector thread per client and would measure itself). It sends one fixed GET
 * and reads the answer byte by byte from a buffer without allocating, so the load generator's own
 * garbage collector has nothing to do during a phase.
 */
final class KeepAliveClient implements AutoCloseable {
    private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(StandardCharsets.US_ASCII);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] request;
    private final byte[] line = new byte[8192];
    private final byte[] body = new byte[65536];

    KeepAliveClient(URI uri, String token) throws IOException {
        socket = new Socket(uri.getHost(), uri.getPort());
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream(), 16384);
        out = socket.getOutputStream();
        request = ("GET " + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()) + " HTTP/1.1\r\nHost: "
                + uri.getHost() + ":" + uri.getPort() + "\r\nAuthorization: Bearer " + token + "\r\nAccept: application/json\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** Sends the request, reads the whole answer (it must have a Content-Length) and returns its status code. */
    int get() throws IOException {
        out.write(request);
        out.flush();
        int n = line();
        if (n < 12) throw new IOException("bad status line");
        int status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
        int length = -1;
        for (n = line(); n > 0; n = line()) {
            if (startsWithIgnoreCase(n, CONTENT_LENGTH)) length = number(CONTENT_LENGTH.length, n);
        }
        if (length < 0) throw new IOException("answer without Content-Length");
        for (int read = 0; read < length; ) {
            int r = in.read(body, 0, Math.min(body.length, length - read));
            if (r < 0) throw new IOException("connection closed");
            read += r;
        }
        return status;
    }

    /** Reads one header line into {@link #line}, without its CR LF; returns its length. */
    private int line() throws IOException {
        int n = 0;
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) throw new IOException("connection closed");
            if (c != '\r' && n < line.length) line[n++] = (byte) c;
        }
        return n;
    }

    private boolean startsWithIgnoreCase(int n, byte[] prefix) {
        if (n < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) {
            if (Character.toLowerCase(line[i]) != prefix[i]) return false;
        }
        return true;
    }

    private int number(int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            if (line[i] >= '0' && line[i] <= '9') v = v * 10 + (line[i] - '0');
        }
        return v;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

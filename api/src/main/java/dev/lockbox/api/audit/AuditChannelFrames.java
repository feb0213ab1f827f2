package dev.lockbox.api.audit;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;

/**
 * Framing of the audit channel, one TCP connection per driver audit sink: every message is a
 * 4-byte big-endian length followed by that many bytes of UTF-8 JSON (a {@link AuditChannelHello}
 * or an {@link AuditBatch} from the driver, an {@link AuditChannelReply} from the server).
 */
public final class AuditChannelFrames {
    /** Largest frame either side reads: the largest audit batch the server takes (1 MiB). */
    public static final int MAX_FRAME = AuditBatch.MAX_BYTES;

    private AuditChannelFrames() {}

    /** Writes one frame and flushes it. */
    public static void write(DataOutputStream out, byte[] json) throws IOException {
        out.writeInt(json.length);
        out.write(json);
        out.flush();
    }

    /**
     * Reads one frame; null at a clean end of stream (no byte of a new frame read).
     *
     * @throws FrameTooLarge when the announced length is negative or over {@code max}; nothing of the
     *         body was read, so the stream cannot be used any more
     */
    public static byte[] read(DataInputStream in, int max) throws IOException {
        int first = in.read();
        if (first < 0) return null;
        int length = (first << 24) | (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
        if (length < 0 || length > max) throw new FrameTooLarge(length, max);
        byte[] body = new byte[length];
        try {
            in.readFully(body);
        } catch (EOFException e) {
            throw new EOFException("the audit channel closed inside a frame of " + length + " bytes");
        }
        return body;
    }

    /** A frame announced longer than the reader takes. */
    public static final class FrameTooLarge extends IOException {
        public FrameTooLarge(int length, int max) {
            super("an audit channel frame of " + Integer.toUnsignedString(length) + " bytes (at most " + max + ")");
        }
    }
}

package dev.lockbox.api.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * The per-environment hash chain over audit events (DESIGN.md). One definition, used by the
 * server when it seals an event and by the exporter's {@code verify}.
 *
 * <p>Canonical form (version 1): a compact JSON array, in this order, of
 * {@code [1, sequence, event_id, event_time as epoch microseconds, environment, database,
 * request_id, support_ticket_id, engineer, db_user, session_id, client_host, application_name,
 * action, action_class, [objects…], statement, parameters, decision, deny_reason, succeeded,
 * rows_affected, error, duration_ms]} with JSON nulls for absent values and Java's
 * {@code Double.toString} form for {@code duration_ms}.
 * {@code hash = lowercase hex(SHA-256(UTF-8(prev_hash + "\n" + canonical)))}; the first event
 * of an environment has {@code prev_hash = }{@link #GENESIS}.
 */
public final class AuditHashChain {
    public static final int CANONICAL_VERSION = 1;
    public static final String GENESIS = "0".repeat(64);
    private static final JsonFactory JSON = new JsonFactory();

    private AuditHashChain() {}

    public static String hash(String prevHash, AuditEvent e) {
        return hash(prevHash, e.sequence(), afterSequence(e));
    }

    /**
     * The hash of the event at {@code sequence} whose canonical form ends with {@code afterSequence}
     * (from {@link #afterSequence}): the same value as {@link #hash(String, AuditEvent)}, for a caller
     * that built the part independent of the chain position earlier, outside its chain lock.
     */
    public static String hash(String prevHash, long sequence, byte[] afterSequence) {
        MessageDigest sha = sha256();
        sha.update(prevHash.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) '\n');
        sha.update(prefix(sequence).getBytes(StandardCharsets.UTF_8));
        sha.update(afterSequence);
        return HexFormat.of().formatHex(sha.digest());
    }

    /** True when {@code e.hash()} is what its content and {@code e.prevHash()} give. */
    public static boolean isIntact(AuditEvent e) {
        return e.prevHash() != null && e.hash() != null && e.hash().equals(hash(e.prevHash(), e));
    }

    public static String canonical(AuditEvent e) {
        return prefix(e.sequence()) + new String(afterSequence(e), StandardCharsets.UTF_8);
    }

    /** The start of the canonical form, the part that depends on the event's place in the chain. */
    private static String prefix(long sequence) {
        return "[" + CANONICAL_VERSION + "," + sequence + ",";
    }

    /**
     * The canonical form after {@code [1,sequence,} (UTF-8): everything of it but the chain position,
     * from {@code event_id} to the closing bracket. {@code e.sequence()} is not read.
     */
    public static byte[] afterSequence(AuditEvent e) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            // Written as an array of its own, whose opening bracket is dropped: the generator puts the
            // same commas between the values as in the whole canonical array.
            g.writeStartArray();
            g.writeString(e.eventId());
            writeMicros(g, e.eventTime());
            for (String s : new String[] {e.environment(), e.database(), e.requestId(), e.supportTicketId(),
                    e.engineer(), e.dbUser(), e.sessionId(), e.clientHost(), e.applicationName(), e.action(),
                    e.actionClass()}) {
                g.writeString(s);
            }
            writeList(g, e.objects());
            for (String s : new String[] {e.statement(), e.parameters(), e.decision(), e.denyReason()}) {
                g.writeString(s);
            }
            if (e.succeeded() == null) g.writeNull(); else g.writeBoolean(e.succeeded());
            if (e.rowsAffected() == null) g.writeNull(); else g.writeNumber(e.rowsAffected());
            g.writeString(e.error());
            if (e.durationMs() == null) g.writeNull(); else g.writeRawValue(Double.toString(e.durationMs()));
            g.writeEndArray();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.getBuffer().substring(1).getBytes(StandardCharsets.UTF_8);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("SHA-256 is part of every JRE", ex);
        }
    }

    /** Epoch microseconds, the precision the store and the lake keep. */
    public static long epochMicros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
    }

    private static void writeMicros(JsonGenerator g, Instant t) throws IOException {
        if (t == null) g.writeNull(); else g.writeNumber(epochMicros(t));
    }

    private static void writeList(JsonGenerator g, List<String> values) throws IOException {
        if (values == null) {
            g.writeNull();
            return;
        }
        g.writeStartArray();
        for (String v : values) g.writeString(v);
        g.writeEndArray();
    }
}

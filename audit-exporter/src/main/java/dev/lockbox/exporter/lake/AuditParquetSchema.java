package dev.lockbox.exporter.lake;

import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.audit.AuditHashChain;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;

/**
 * The Parquet schema of {@code sql_audit} (version {@value #SCHEMA_VERSION}): every column of
 * {@link AuditEvent} in DESIGN.md order except the partition columns {@code environment} and
 * {@code event_date}, which live in the directory names only (pandas refuses a lake that has them
 * in both places).
 *
 * <p>Strings are UTF-8 strings; {@code action}, {@code action_class} and {@code decision} are plain
 * strings (an Avro enum would become a Parquet ENUM that some readers show as binary);
 * {@code objects} is a standard 3-level list; {@code event_time} is timestamp-micros adjusted to UTC.
 * Only {@code sequence}, {@code event_time}, {@code prev_hash} and {@code hash} are required: the lake
 * keeps whatever the server sealed, nulls included, so that {@code verify} can recompute the chain.
 * Hashes are their 32 raw bytes (the API and {@code AuditHashChain} show them as lowercase hex);
 * see docs/lake.md for why and how to compare them in SQL.
 */
public final class AuditParquetSchema {
    public static final int SCHEMA_VERSION = 1;

    /** Footer key/value metadata written into every file. */
    public static final String META_SCHEMA_VERSION = "lockbox.schema_version";
    public static final String META_CANONICAL_VERSION = "lockbox.canonical_version";
    public static final String META_ENVIRONMENT = "lockbox.environment";
    public static final String META_FIRST_SEQUENCE = "lockbox.first_sequence";
    public static final String META_LAST_SEQUENCE = "lockbox.last_sequence";
    public static final String META_FIRST_PREV_HASH = "lockbox.first_prev_hash";
    public static final String META_LAST_HASH = "lockbox.last_hash";

    public static final Schema SCHEMA = new Schema.Parser().parse("""
            {"type": "record", "name": "sql_audit", "namespace": "dev.lockbox.audit", "fields": [
              {"name": "sequence", "type": "long"},
              {"name": "event_id", "type": ["null", {"type": "string", "avro.java.string": "String"}]},
              {"name": "event_time", "type": {"type": "long", "logicalType": "timestamp-micros"}},
              {"name": "database", "type": ["null", {"type": "string", "avro.java.string": "String"}]},
              {"name": "request_id", "type": ["null", {"type": "string", "avro.java.string": "String"}]},
              {"name": "support_ticket_id", "type": ["null", {"type": "string", "avro.java.string": "String"}]},
              {"name": "engineer", "type": ["null", {"type": "string", "avro.java.string": "String"}]},
              {"name": "db_user", "type": ["null", {"type": "string", "avro.java.string": "String"}]},
              {"name": "session_id", "type": ["null", {"type": "string", "avro.java.string": "String"}]},
              {"name": "client_host", "type": ["null", {"type": "string", "avro.java.string": "String"}]},
              {"name": "application_name", "type": ["null", {"type": "string", "avro.java.string": "String"}]},
              {"name": "action", "type": ["null", {"type": "string", "avro.java.string": "String"}]},
              {"name": "action_class", "type": ["null", {"type": "string", "avro.java.string": "String"}]},
              {"name": "objects", "type": ["null", {"type": "array",
                  "items": ["null", {"type": "string", "avro.java.string": "String"}]}]},
              {"name": "statement", "type": ["null", {"type": "string", "avro.java.string": "String"}]},
              {"name": "parameters", "type": ["null", {"type": "string", "avro.java.string": "String"}]},
              {"name": "decision", "type": ["null", {"type": "string", "avro.java.string": "String"}]},
              {"name": "deny_reason", "type": ["null", {"type": "string", "avro.java.string": "String"}]},
              {"name": "succeeded", "type": ["null", "boolean"]},
              {"name": "rows_affected", "type": ["null", "long"]},
              {"name": "error", "type": ["null", {"type": "string", "avro.java.string": "String"}]},
              {"name": "duration_ms", "type": ["null", "double"]},
              {"name": "prev_hash", "type": {"type": "fixed", "name": "sha256", "size": 32}},
              {"name": "hash", "type": "sha256"}
            ]}""");

    static final int SEQUENCE = 0;
    static final int EVENT_TIME = 2;
    static final int PREV_HASH = 22;
    static final int HASH = 23;

    private AuditParquetSchema() {}

    /** The Parquet row of an event (the environment is the partition, not a column); strings as {@link String}s. */
    public static GenericRecord toRecord(AuditEvent e) {
        return record(e, s -> s);
    }

    /**
     * The same row with every string already encoded as UTF-8 ({@link Utf8}): parquet-avro writes
     * those bytes as they are instead of encoding each string on the writing thread, so whoever
     * prepares the rows (the exporter's read-ahead thread) takes that work off the writer.
     */
    static GenericRecord toEncodedRecord(AuditEvent e) {
        return record(e, s -> s == null ? null : new Utf8(s));
    }

    private static GenericRecord record(AuditEvent e, Function<String, CharSequence> text) {
        GenericData.Record r = new GenericData.Record(SCHEMA);
        r.put(0, e.sequence());
        r.put(1, text.apply(e.eventId()));
        r.put(2, AuditHashChain.epochMicros(e.eventTime()));
        r.put(3, text.apply(e.database()));
        r.put(4, text.apply(e.requestId()));
        r.put(5, text.apply(e.supportTicketId()));
        r.put(6, text.apply(e.engineer()));
        r.put(7, text.apply(e.dbUser()));
        r.put(8, text.apply(e.sessionId()));
        r.put(9, text.apply(e.clientHost()));
        r.put(10, text.apply(e.applicationName()));
        r.put(11, text.apply(e.action()));
        r.put(12, text.apply(e.actionClass()));
        r.put(13, texts(e.objects(), text));
        r.put(14, text.apply(e.statement()));
        r.put(15, text.apply(e.parameters()));
        r.put(16, text.apply(e.decision()));
        r.put(17, text.apply(e.denyReason()));
        r.put(18, e.succeeded());
        r.put(19, e.rowsAffected());
        r.put(20, text.apply(e.error()));
        r.put(21, e.durationMs());
        r.put(22, sha256(e.prevHash()));
        r.put(23, sha256(e.hash()));
        return r;
    }

    private static List<? extends CharSequence> texts(List<String> values, Function<String, CharSequence> text) {
        if (values == null || values.isEmpty()) return values;
        List<CharSequence> out = new ArrayList<>(values.size());
        for (String v : values) out.add(text.apply(v));
        return out;
    }

    /** The event a Parquet row holds; {@code environment} comes from the file's partition directory. */
    public static AuditEvent fromRecord(GenericRecord r, String environment) {
        return new AuditEvent(
                (Long) r.get(0),
                str(r.get(1)),
                instantOfMicros((Long) r.get(2)),
                environment,
                str(r.get(3)),
                str(r.get(4)),
                str(r.get(5)),
                str(r.get(6)),
                str(r.get(7)),
                str(r.get(8)),
                str(r.get(9)),
                str(r.get(10)),
                str(r.get(11)),
                str(r.get(12)),
                strings(r.get(13)),
                str(r.get(14)),
                str(r.get(15)),
                str(r.get(16)),
                str(r.get(17)),
                (Boolean) r.get(18),
                (Long) r.get(19),
                str(r.get(20)),
                (Double) r.get(21),
                hex(r.get(22)),
                hex(r.get(23)));
    }

    static Instant instantOfMicros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    private static final Schema SHA256 = SCHEMA.getField("hash").schema();

    /** A chain hash (lowercase hex, as served and as {@code AuditHashChain} computes it) as its 32 bytes. */
    public static GenericData.Fixed sha256(String hex) {
        if (hex == null) return null;
        byte[] bytes = HexFormat.of().parseHex(hex);
        if (bytes.length != 32) throw new IllegalArgumentException("not a SHA-256 in hex: " + hex);
        return new GenericData.Fixed(SHA256, bytes);
    }

    /** The lowercase hex of a stored hash, as the API shows it. */
    public static String hex(Object v) {
        return v == null ? null : HexFormat.of().formatHex(((GenericFixed) v).bytes());
    }

    private static String str(Object v) {
        return v == null ? null : v.toString();
    }

    private static List<String> strings(Object v) {
        if (v == null) return null;
        Collection<?> values = (Collection<?>) v;
        List<String> out = new ArrayList<>(values.size());
        for (Object o : values) out.add(str(o));
        return out;
    }
}

package dev.lockbox.exporter.lake;

import dev.lockbox.api.audit.AuditEvent;
import org.apache.avro.generic.GenericRecord;

/**
 * An event and its Parquet row, prepared before it reaches the {@link LakeWriter}: the exporter
 * builds these on its read-ahead thread (hashes to bytes, time to microseconds, strings to UTF-8),
 * so the thread writing Parquet only checks the chain and writes. The writer checks the event and
 * writes the row; only {@link #of} makes one, so the row is always the event's.
 */
public final class LakeRow {
    private final AuditEvent event;
    private final GenericRecord record;

    private LakeRow(AuditEvent event, GenericRecord record) {
        this.event = event;
        this.record = record;
    }

    public static LakeRow of(AuditEvent event) {
        return new LakeRow(event, AuditParquetSchema.toEncodedRecord(event));
    }

    public AuditEvent event() {
        return event;
    }

    /** What the writer writes: {@link #event()} as a Parquet row. */
    GenericRecord record() {
        return record;
    }
}

package dev.lockbox.exporter.lake;

import dev.lockbox.api.audit.AuditEvent;
import org.apache.avro.generic.GenericRecord;

/**
 * An event and its Parquet row, prepared before it reaches the {@link LakeWriter}: the exporter
 * builds these on its read-ahead thread (hashes to bytes, time to microseconds, strings to UTF-8),
 * so the thread writing Parquet only checks the chain and writes. The writer checks {@code event};
 * {@code record} is what it writes, always made from that event by {@link #of}.
 */
public record LakeRow(AuditEvent event, GenericRecord record) {

    public static LakeRow of(AuditEvent event) {
        return new LakeRow(event, AuditParquetSchema.toEncodedRecord(event));
    }
}

package dev.lockbox.exporter.lake;

import java.util.HashMap;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.hadoop.api.DelegatingWriteSupport;
import org.apache.parquet.hadoop.api.WriteSupport;

/**
 * Writes rows with parquet-avro and, when the file is finished, adds its chain link to the footer:
 * first and last sequence, {@code prev_hash} of the first row and {@code hash} of the last. Those
 * are only known at close, which is why this hooks {@link #finalizeWrite()} instead of passing
 * them to the builder.
 */
final class ChainLinkWriteSupport extends DelegatingWriteSupport<GenericRecord> {
    private long firstSequence = -1;
    private long lastSequence = -1;
    private Object firstPrevHash;
    private Object lastHash;

    ChainLinkWriteSupport(WriteSupport<GenericRecord> avro) {
        super(avro);
    }

    @Override
    public void write(GenericRecord record) {
        super.write(record);
        long sequence = (Long) record.get(AuditParquetSchema.SEQUENCE);
        if (firstSequence < 0) {
            firstSequence = sequence;
            firstPrevHash = record.get(AuditParquetSchema.PREV_HASH);
        }
        lastSequence = sequence;
        lastHash = record.get(AuditParquetSchema.HASH); // hex only once, in the footer
    }

    @Override
    public FinalizedWriteContext finalizeWrite() {
        Map<String, String> meta = new HashMap<>(super.finalizeWrite().getExtraMetaData());
        meta.put(AuditParquetSchema.META_FIRST_SEQUENCE, Long.toString(firstSequence));
        meta.put(AuditParquetSchema.META_LAST_SEQUENCE, Long.toString(lastSequence));
        meta.put(AuditParquetSchema.META_FIRST_PREV_HASH, AuditParquetSchema.hex(firstPrevHash));
        meta.put(AuditParquetSchema.META_LAST_HASH, AuditParquetSchema.hex(lastHash));
        return new FinalizedWriteContext(meta);
    }
}

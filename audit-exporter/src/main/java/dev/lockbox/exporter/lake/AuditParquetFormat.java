package dev.lockbox.exporter.lake;

import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.audit.AuditHashChain;
import java.io.IOException;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.avro.AvroSchemaConverter;
import org.apache.parquet.avro.AvroWriteSupport;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.OutputFile;

/** Opens writers and readers of {@code sql_audit} Parquet files with {@link AuditParquetSchema}. */
public final class AuditParquetFormat {
    private AuditParquetFormat() {}

    /** What a file's footer says about it. */
    public record Footer(long rowCount, Map<String, String> metadata) {
        public String get(String key) {
            return metadata.get(key);
        }
    }

    public static ParquetWriter<GenericRecord> newWriter(OutputFile file, Configuration conf, String environment,
                                                  CompressionCodecName compression) throws IOException {
        return new Builder(file)
                .withConf(conf)
                .withCompressionCodec(compression)
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .withWriterVersion(ParquetProperties.WriterVersion.PARQUET_2_0)
                // A row group is buffered in memory until it is full; 64 MB bounds what each open
                // environment costs the server (the default is 128 MB).
                .withRowGroupSize(64L * 1024 * 1024)
                .withDictionaryEncoding("event_id", false)
                .withDictionaryEncoding("prev_hash", false)
                .withDictionaryEncoding("hash", false)
                .withExtraMetaData(Map.of(
                        AuditParquetSchema.META_SCHEMA_VERSION, Integer.toString(AuditParquetSchema.SCHEMA_VERSION),
                        AuditParquetSchema.META_CANONICAL_VERSION, Integer.toString(AuditHashChain.CANONICAL_VERSION),
                        AuditParquetSchema.META_ENVIRONMENT, environment))
                .build();
    }

    public static Footer readFooter(Lake lake, PartFile file) throws IOException {
        try (ParquetFileReader reader = ParquetFileReader.open(new LakeInputFile(lake.fileSystem(), file.path()))) {
            return new Footer(reader.getRecordCount(),
                    Map.copyOf(reader.getFooter().getFileMetaData().getKeyValueMetaData()));
        }
    }

    /** Streams the events of one file, in the order they are stored. */
    public static void read(Lake lake, PartFile file, Consumer<AuditEvent> sink) throws IOException {
        InputFile in = new LakeInputFile(lake.fileSystem(), file.path());
        try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(in)
                .withDataModel(GenericData.get())
                .withConf(lake.conf())
                .build()) {
            GenericRecord r;
            while ((r = reader.read()) != null) {
                sink.accept(AuditParquetSchema.fromRecord(r, file.environment()));
            }
        }
    }

    private static final class Builder extends ParquetWriter.Builder<GenericRecord, Builder> {
        Builder(OutputFile file) {
            super(file);
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        protected WriteSupport<GenericRecord> getWriteSupport(Configuration conf) {
            return new ChainLinkWriteSupport(new AvroWriteSupport<>(
                    new AvroSchemaConverter(conf).convert(AuditParquetSchema.SCHEMA),
                    AuditParquetSchema.SCHEMA, GenericData.get()));
        }
    }
}

package dev.lockbox.exporter.lake;

import java.time.Duration;
import java.util.Objects;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * When a lake file is closed and committed, and how it is compressed.
 *
 * @param maxRowsPerFile a file is committed once it holds this many rows
 * @param maxFileAge     a file open this long is committed at the next check, so a quiet feed
 *                       still reaches the lake (a day boundary in event_time also ends a file)
 * @param compression    ZSTD by default: the smallest files for audit text, and zstd-jni ships
 *                       native code for Linux, macOS and Windows so no Hadoop native library is needed
 */
public record LakeWriterSettings(int maxRowsPerFile, Duration maxFileAge, CompressionCodecName compression) {
    public static final LakeWriterSettings DEFAULTS =
            new LakeWriterSettings(1_000_000, Duration.ofMinutes(15), CompressionCodecName.ZSTD);

    public LakeWriterSettings {
        if (maxRowsPerFile < 1) throw new IllegalArgumentException("maxRowsPerFile must be at least 1");
        Objects.requireNonNull(maxFileAge, "maxFileAge");
        if (maxFileAge.isNegative()) throw new IllegalArgumentException("maxFileAge must not be negative");
        Objects.requireNonNull(compression, "compression");
    }

    public LakeWriterSettings withMaxRowsPerFile(int rows) {
        return new LakeWriterSettings(rows, maxFileAge, compression);
    }

    public LakeWriterSettings withMaxFileAge(Duration age) {
        return new LakeWriterSettings(maxRowsPerFile, age, compression);
    }

    public LakeWriterSettings withCompression(CompressionCodecName codec) {
        return new LakeWriterSettings(maxRowsPerFile, maxFileAge, codec);
    }
}

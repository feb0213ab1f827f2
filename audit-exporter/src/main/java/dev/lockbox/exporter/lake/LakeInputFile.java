package dev.lockbox.exporter.lake;

import java.io.IOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.util.HadoopStreams;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/** A Parquet input file read through the lake's shared FileSystem. */
final class LakeInputFile implements InputFile {
    private final FileSystem fs;
    private final Path path;

    LakeInputFile(FileSystem fs, Path path) {
        this.fs = fs;
        this.path = path;
    }

    @Override
    public long getLength() throws IOException {
        return fs.getFileStatus(path).getLen();
    }

    @Override
    public SeekableInputStream newStream() throws IOException {
        return HadoopStreams.wrap(fs.open(path));
    }

    @Override
    public String toString() {
        return path.toString();
    }
}

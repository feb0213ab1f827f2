package dev.lockbox.exporter.lake;

import java.io.Closeable;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Paths;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * A data lake directory given as a Hadoop FileSystem URI ({@code file:} by default, {@code hdfs:},
 * {@code s3a:}, {@code abfs:} … when the connector is on the classpath), with the one FileSystem
 * instance every reader and writer of this lake shares (Hadoop's start-up costs about a second).
 */
public final class Lake implements Closeable {
    public static final String AUDIT_TABLE = "sql_audit";
    static final String TMP_DIR = "_tmp";

    /** Schemes where rename is a copy: files are uploaded straight to their final name. */
    private static final Set<String> OBJECT_STORE_SCHEMES =
            Set.of("s3", "s3a", "s3n", "gs", "abfs", "abfss", "wasb", "wasbs", "oss", "cosn", "obs");

    private final Path root;
    private final Configuration conf;
    private final FileSystem fs;
    private final CommitMode commitMode;

    /** How a finished file becomes visible under its final name. */
    public enum CommitMode {
        /** Write under {@code sql_audit/_tmp/}, then rename (atomic on local file systems and HDFS). */
        RENAME_FROM_TMP,
        /** Write to a local staging file, then upload to the final name (object stores publish whole objects). */
        UPLOAD_TO_FINAL
    }

    private Lake(Path root, Configuration conf, FileSystem fs, CommitMode commitMode) {
        this.root = root;
        this.conf = conf;
        this.fs = fs;
        this.commitMode = commitMode;
    }

    /** Opens the lake at {@code location}: a URI with a scheme, or a local path (relative to the working directory). */
    public static Lake open(String location) throws IOException {
        URI uri = toUri(location);
        return open(uri, commitModeFor(uri));
    }

    /** Opens a lake with an explicit commit mode (tests exercise the object-store path on {@code file:}). */
    public static Lake open(URI uri, CommitMode commitMode) throws IOException {
        Configuration conf = new Configuration();
        // Local lakes go through RawLocalFileSystem: the checksummed LocalFileSystem would leave .crc side files.
        conf.setClass("fs.file.impl", RawLocalFileSystem.class, FileSystem.class);
        conf.setBoolean("fs.file.impl.disable.cache", true);
        // Standard 3-level Parquet lists, which DuckDB, Spark, Trino and pandas all read as list<string>.
        conf.setBoolean("parquet.avro.write-old-list-structure", false);
        // The lake closes its FileSystem itself, after the last commit; Hadoop's own shutdown hook
        // would otherwise close it under a --follow exporter that is committing on Ctrl-C.
        conf.setBoolean("fs.automatic.close", false);
        FileSystem fs = FileSystem.newInstance(uri, conf);
        Path root = fs.makeQualified(new Path(uri));
        return new Lake(root, conf, fs, commitMode);
    }

    static URI toUri(String location) {
        if (location == null || location.isBlank()) {
            throw new IllegalArgumentException("the lake location is empty");
        }
        // A scheme of two or more letters; "C:\lake" is a Windows path, not a URI.
        if (location.matches("^[a-zA-Z][a-zA-Z0-9+.-]+:.*")) {
            URI uri = URI.create(location);
            if ("file".equals(uri.getScheme())) {
                return Paths.get(uri).toAbsolutePath().normalize().toUri();
            }
            return uri;
        }
        return Paths.get(location).toAbsolutePath().normalize().toUri();
    }

    static CommitMode commitModeFor(URI uri) {
        String scheme = uri.getScheme() == null ? "file" : uri.getScheme().toLowerCase(Locale.ROOT);
        return OBJECT_STORE_SCHEMES.contains(scheme) ? CommitMode.UPLOAD_TO_FINAL : CommitMode.RENAME_FROM_TMP;
    }

    public Path root() {
        return root;
    }

    public Path auditTable() {
        return new Path(root, AUDIT_TABLE);
    }

    Path tmpDir() {
        return new Path(auditTable(), TMP_DIR);
    }

    public FileSystem fileSystem() {
        return fs;
    }

    public Configuration conf() {
        return conf;
    }

    public CommitMode commitMode() {
        return commitMode;
    }

    /**
     * Local directory for files on their way to an object store, one per lake and environment, so
     * a restarted writer can delete what a killed one left there.
     */
    java.nio.file.Path stagingDir(String environment) {
        String lakeId = Integer.toHexString(root.toString().hashCode());
        return java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "lockbox-exporter-staging",
                lakeId, environment);
    }

    Path partitionDir(String environment, LocalDate eventDate) {
        return new Path(new Path(auditTable(), PartFile.environmentDir(environment)), PartFile.dateDir(eventDate));
    }

    /** Environments that have a directory in the lake, sorted. */
    public List<String> environments() throws IOException {
        List<String> envs = new ArrayList<>();
        for (FileStatus st : listOrEmpty(auditTable())) {
            if (st.isDirectory()) PartFile.environmentOf(st.getPath().getName()).ifPresent(envs::add);
        }
        envs.sort(Comparator.naturalOrder());
        return envs;
    }

    /** Committed part files of one environment, in sequence order. Files with other names are not part files. */
    public List<PartFile> partFiles(String environment) throws IOException {
        return partFiles(environment, null, null);
    }

    /** Part files of one environment whose event_date lies in [{@code from}, {@code to}] (null: open end). */
    public List<PartFile> partFiles(String environment, LocalDate from, LocalDate to) throws IOException {
        List<PartFile> files = new ArrayList<>();
        Path envDir = new Path(auditTable(), PartFile.environmentDir(environment));
        for (FileStatus day : listOrEmpty(envDir)) {
            if (!day.isDirectory()) continue;
            Optional<LocalDate> date = PartFile.dateOf(day.getPath().getName());
            if (date.isEmpty()) continue;
            if (from != null && date.get().isBefore(from)) continue;
            if (to != null && date.get().isAfter(to)) continue;
            for (FileStatus file : listOrEmpty(day.getPath())) {
                if (file.isFile()) PartFile.parse(environment, date.get(), file.getPath()).ifPresent(files::add);
            }
        }
        files.sort(Comparator.comparingLong(PartFile::firstSequence).thenComparingLong(PartFile::lastSequence));
        return files;
    }

    /** Every file under the environment's directory that is not a committed part file (for verify). */
    public List<Path> strayFiles(String environment) throws IOException {
        List<Path> stray = new ArrayList<>();
        Path envDir = new Path(auditTable(), PartFile.environmentDir(environment));
        for (FileStatus day : listOrEmpty(envDir)) {
            Optional<LocalDate> date = day.isDirectory() ? PartFile.dateOf(day.getPath().getName()) : Optional.empty();
            if (date.isEmpty()) {
                stray.add(day.getPath());
                continue;
            }
            for (FileStatus file : listOrEmpty(day.getPath())) {
                if (!file.isFile() || PartFile.parse(environment, date.get(), file.getPath()).isEmpty()) {
                    stray.add(file.getPath());
                }
            }
        }
        return stray;
    }

    FileStatus[] listOrEmpty(Path dir) throws IOException {
        try {
            return fs.listStatus(dir);
        } catch (FileNotFoundException e) {
            return new FileStatus[0];
        }
    }

    @Override
    public void close() throws IOException {
        fs.close();
    }

    @Override
    public String toString() {
        return root.toString();
    }
}

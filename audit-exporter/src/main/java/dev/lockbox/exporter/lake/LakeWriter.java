package dev.lockbox.exporter.lake;

import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.audit.AuditHashChain;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.LocalOutputFile;

/**
 * Appends the sealed events of one environment to the lake, exactly once.
 *
 * <p>{@link #open} recovers the position from the committed file names (the highest last sequence
 * is the truth; the last file's footer gives the hash to continue from) and deletes this
 * environment's leftovers in {@code _tmp}. Appends must continue that chain: the next sequence and
 * a {@code prev_hash} equal to the last hash, otherwise nothing is written. A file is committed when
 * its day ends (event_time, UTC), when it reaches {@code maxRowsPerFile}, when it is older than
 * {@code maxFileAge} at a {@link #commitIfDue()}, or on {@link #commit()}; uncommitted rows are
 * simply exported again by the next run.
 *
 * <p>One writer per environment and lake at a time: a second exporter on the same lake would find
 * its target names taken and stop ({@link LakeConflictException}) rather than overwrite.
 */
public final class LakeWriter implements Closeable {
    private static final long SECONDS_PER_DAY = 86_400L;

    private final Lake lake;
    private final String environment;
    private final LakeWriterSettings settings;
    private final Clock clock;
    private long lastSequence;
    private String lastHash;
    private long lastCommittedSequence;
    private String lastCommittedHash;
    private OpenPart open;

    private LakeWriter(Lake lake, String environment, LakeWriterSettings settings, Clock clock,
                       long lastSequence, String lastHash) {
        this.lake = lake;
        this.environment = environment;
        this.settings = settings;
        this.clock = clock;
        this.lastSequence = lastSequence;
        this.lastHash = lastHash;
        this.lastCommittedSequence = lastSequence;
        this.lastCommittedHash = lastHash;
    }

    /** Recovers the committed position of {@code environment} and cleans its unfinished files. */
    public static LakeWriter open(Lake lake, String environment, LakeWriterSettings settings, Clock clock)
            throws IOException {
        Objects.requireNonNull(environment, "environment");
        FileSystem fs = lake.fileSystem();
        Path tmp = new Path(lake.tmpDir(), environment);
        if (fs.exists(tmp)) fs.delete(tmp, true);
        if (lake.commitMode() == Lake.CommitMode.UPLOAD_TO_FINAL) deleteStaging(lake.stagingDir(environment));
        List<PartFile> files = lake.partFiles(environment);
        if (files.isEmpty()) return new LakeWriter(lake, environment, settings, clock, 0, AuditHashChain.GENESIS);
        PartFile last = files.get(files.size() - 1);
        for (PartFile f : files) {
            if (f.lastSequence() > last.lastSequence()) last = f;
        }
        String lastHash = AuditParquetFormat.readFooter(lake, last).get(AuditParquetSchema.META_LAST_HASH);
        if (lastHash == null) {
            throw new LakeConflictException(last.displayName() + " has no " + AuditParquetSchema.META_LAST_HASH
                    + " in its footer: it was not written by the exporter (run verify)");
        }
        return new LakeWriter(lake, environment, settings, clock, last.lastSequence(), lastHash);
    }

    public String environment() {
        return environment;
    }

    /** The sequence of the last event appended (committed or not); 0 when none. */
    public long lastSequence() {
        return lastSequence;
    }

    /** The last sequence that is committed in the lake; 0 when none. */
    public long lastCommittedSequence() {
        return lastCommittedSequence;
    }

    /**
     * Appends one event; commits the open file first when the event starts a new day or the file is
     * full. Returns the file committed on the way, if any.
     */
    public Optional<PartFile> append(AuditEvent e) throws IOException {
        return append(LakeRow.of(e));
    }

    /** {@link #append(AuditEvent)} of a row prepared earlier (by another thread, for instance). */
    public Optional<PartFile> append(LakeRow row) throws IOException {
        AuditEvent e = row.event();
        if (!environment.equals(e.environment())) {
            throw new LakeConflictException("event " + e.sequence() + " belongs to environment '" + e.environment()
                    + "', not '" + environment + "'");
        }
        if (e.sequence() != lastSequence + 1) {
            throw new LakeConflictException("environment " + environment + ": expected sequence " + (lastSequence + 1)
                    + " next, got " + e.sequence());
        }
        if (!lastHash.equals(e.prevHash())) {
            throw new LakeConflictException("environment " + environment + ": event " + e.sequence()
                    + " has prev_hash " + e.prevHash() + " but the chain so far ends in " + lastHash);
        }
        if (e.eventTime() == null || e.prevHash() == null || e.hash() == null) {
            throw new LakeConflictException("environment " + environment + ": event " + e.sequence()
                    + " is not sealed (event_time, prev_hash and hash are required)");
        }
        long day = Math.floorDiv(e.eventTime().getEpochSecond(), SECONDS_PER_DAY);
        Optional<PartFile> committed = Optional.empty();
        if (open != null && (open.day != day || open.rows >= settings.maxRowsPerFile())) {
            committed = commit();
        }
        if (open == null) open = startPart(e.sequence(), day);
        open.writer.write(row.record());
        open.rows++;
        open.lastSequence = e.sequence();
        open.lastHash = e.hash();
        lastSequence = e.sequence();
        lastHash = e.hash();
        return committed;
    }

    /** Commits the open file when it has been open for {@code maxFileAge} or longer. */
    public Optional<PartFile> commitIfDue() throws IOException {
        if (open == null) return Optional.empty();
        Duration age = Duration.between(open.openedAt, clock.instant());
        return age.compareTo(settings.maxFileAge()) >= 0 ? commit() : Optional.empty();
    }

    /** Closes the open file and gives it its final name; nothing to do when no file is open. */
    public Optional<PartFile> commit() throws IOException {
        if (open == null) return Optional.empty();
        OpenPart part = open;
        open = null;
        try {
            part.writer.close();
        } catch (IOException | RuntimeException e) {
            rewind();
            part.discard(lake.fileSystem());
            throw e;
        }
        LocalDate date = LocalDate.ofEpochDay(part.day);
        Path dir = lake.partitionDir(environment, date);
        Path target = new Path(dir, PartFile.fileName(part.firstSequence, part.lastSequence));
        FileSystem fs = lake.fileSystem();
        try {
            fs.mkdirs(dir);
            // Local file systems overwrite on rename and HDFS refuses; check first so neither happens silently.
            if (fs.exists(target)) {
                throw new LakeConflictException(target + " already exists: is another exporter writing this lake?");
            }
            if (part.staging != null) {
                upload(part.staging, fs, target);
            } else if (!fs.rename(part.tmp, target)) {
                throw new IOException("could not rename " + part.tmp + " to " + target);
            }
        } catch (IOException | RuntimeException e) {
            rewind();
            part.discard(fs);
            throw e;
        }
        part.discard(fs);
        lastCommittedSequence = part.lastSequence;
        lastCommittedHash = part.lastHash;
        return Optional.of(new PartFile(environment, date, part.firstSequence, part.lastSequence, target));
    }

    /** Rows appended but not committed yet. */
    public long pendingRows() {
        return open == null ? 0 : open.rows;
    }

    /** Commits what is open. */
    @Override
    public void close() throws IOException {
        commit();
    }

    /** Drops the open file without committing it (its rows will be exported again). */
    public void abort() throws IOException {
        if (open == null) return;
        OpenPart part = open;
        open = null;
        rewind();
        try {
            part.writer.close();
        } catch (IOException | RuntimeException ignored) {
            // The file is being thrown away; a broken writer changes nothing.
        }
        part.discard(lake.fileSystem());
    }

    /** Back to the committed position: rows not committed must be appended again. */
    private void rewind() {
        lastSequence = lastCommittedSequence;
        lastHash = lastCommittedHash;
    }

    private OpenPart startPart(long firstSequence, long day) throws IOException {
        String name = String.format("part-%020d-%s.inprogress", firstSequence, UUID.randomUUID());
        if (lake.commitMode() == Lake.CommitMode.UPLOAD_TO_FINAL) {
            java.nio.file.Path stagingDir = Files.createDirectories(lake.stagingDir(environment));
            java.nio.file.Path staging = stagingDir.resolve(name);
            ParquetWriter<GenericRecord> writer = AuditParquetFormat.newWriter(
                    new LocalOutputFile(staging), lake.conf(), environment, settings.compression());
            return new OpenPart(writer, null, staging, firstSequence, day, clock.instant());
        }
        Path tmp = new Path(new Path(lake.tmpDir(), environment), name);
        ParquetWriter<GenericRecord> writer = AuditParquetFormat.newWriter(
                new LakeOutputFile(lake.fileSystem(), tmp), lake.conf(), environment, settings.compression());
        return new OpenPart(writer, tmp, null, firstSequence, day, clock.instant());
    }

    private static void deleteStaging(java.nio.file.Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return;
        try (java.util.stream.Stream<java.nio.file.Path> files = Files.list(dir)) {
            for (java.nio.file.Path f : files.toList()) Files.deleteIfExists(f);
        }
    }

    /** Object stores publish an object when its upload completes, so the final name never shows a partial file. */
    private static void upload(java.nio.file.Path staging, FileSystem fs, Path target) throws IOException {
        try (OutputStream out = fs.create(target, false)) {
            Files.copy(staging, out);
        }
    }

    private static final class OpenPart {
        final ParquetWriter<GenericRecord> writer;
        final Path tmp;
        final java.nio.file.Path staging;
        final long firstSequence;
        final long day;
        final Instant openedAt;
        long lastSequence;
        String lastHash;
        long rows;

        OpenPart(ParquetWriter<GenericRecord> writer, Path tmp, java.nio.file.Path staging, long firstSequence,
                 long day, Instant openedAt) {
            this.writer = writer;
            this.tmp = tmp;
            this.staging = staging;
            this.firstSequence = firstSequence;
            this.day = day;
            this.openedAt = openedAt;
        }

        void discard(FileSystem fs) throws IOException {
            if (tmp != null && fs.exists(tmp)) fs.delete(tmp, false);
            if (staging != null) Files.deleteIfExists(staging);
        }
    }
}

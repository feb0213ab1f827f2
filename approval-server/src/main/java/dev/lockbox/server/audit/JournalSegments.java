package dev.lockbox.server.audit;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of {@link AuditIntakeJournal}: numbered records appended to segment files in one directory,
 * each record its length, a CRC32C of its bytes and the bytes, written with one {@code write} call and
 * no {@code fsync} (like the H2 store's commits at {@code WRITE_DELAY=0}: a record survives a killed
 * process, not a lost machine). A segment is named by the number of its first record and a new one is
 * started once the current one passes {@code segmentBytes}; {@link #release} deletes the segments whose
 * records are all written to the store.
 *
 * <p>On {@link #open} the records left by the previous run are read back ({@link #takeRecovered}); a damaged
 * record at the end of the last segment (a write the machine did not finish, so never acknowledged) is
 * dropped with a warning, damage anywhere else refuses the open. Not thread-safe: its owner serializes calls.
 */
final class JournalSegments implements Closeable {
    static final String SUFFIX = ".journal";
    /** Larger than any batch the server takes (1 MiB of JSON) plus its grants; a longer length is damage. */
    static final int MAX_RECORD_BYTES = 16 << 20;
    private static final int HEADER = 8;
    private static final Logger log = LoggerFactory.getLogger(JournalSegments.class);

    private final Path dir;
    private final long segmentBytes;
    /** First record number of each segment file, oldest first; the last one is {@link #current}. */
    private final TreeMap<Long, Path> segments = new TreeMap<>();
    private List<Recovered> recovered;
    private FileChannel current;
    private long currentSize;
    private long next;

    private JournalSegments(Path dir, long segmentBytes, List<Recovered> recovered, long next) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.recovered = recovered;
        this.next = next;
    }

    /** Opens (creating) the journal in {@code dir}, reading back what the previous run left there. */
    static JournalSegments open(Path dir, long segmentBytes) throws IOException {
        if (segmentBytes < HEADER) throw new IllegalArgumentException("segment size too small: " + segmentBytes);
        Files.createDirectories(dir);
        TreeMap<Long, Path> found = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (!name.endsWith(SUFFIX)) continue;
                try {
                    found.put(Long.parseLong(name.substring(0, name.length() - SUFFIX.length())), f);
                } catch (NumberFormatException e) {
                    throw new IOException("not a journal segment name: " + f + " (move it out of " + dir + ")");
                }
            }
        }
        List<Recovered> records = new ArrayList<>();
        long next = 1;
        for (Map.Entry<Long, Path> segment : found.entrySet()) {
            boolean last = segment.getKey().equals(found.lastKey());
            if (segment.getKey() < next) {
                throw new IOException("journal segment " + segment.getValue() + " overlaps the one before it");
            }
            next = segment.getKey() + read(segment.getValue(), segment.getKey(), last, records);
        }
        JournalSegments journal = new JournalSegments(dir, segmentBytes, records, next);
        journal.segments.putAll(found);
        journal.startSegment();
        return journal;
    }

    /** Reads one segment's records, numbered from {@code first}, into {@code into}; returns how many. */
    private static int read(Path file, long first, boolean last, List<Recovered> into) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
        int count = 0;
        while (b.remaining() > 0) {
            int at = b.position();
            String damage = null;
            if (b.remaining() < HEADER) {
                damage = "a header cut short";
            } else {
                int length = b.getInt();
                int crc = b.getInt();
                if (length < 0 || length > MAX_RECORD_BYTES || length > b.remaining()) {
                    damage = "a record cut short or a bad length (" + length + ")";
                } else {
                    byte[] payload = new byte[length];
                    b.get(payload);
                    if (crc32c(payload) != crc) damage = "a record whose checksum does not match";
                    else {
                        into.add(new Recovered(first + count, payload));
                        count++;
                    }
                }
            }
            if (damage != null) {
                if (!last) {
                    throw new IOException("audit journal segment " + file + " is damaged at byte " + at + " (" + damage
                            + ") and is not the last one; the server will not start over acknowledged audit events"
                            + " it cannot read (see docs/audit-log.md, \"The intake journal\")");
                }
                log.warn("audit journal {}: dropped {} bytes at its end ({}): a write that did not finish, never"
                        + " acknowledged", file, b.limit() - at, damage);
                break;
            }
        }
        return count;
    }

    /** A record the previous run left, with its number. */
    record Recovered(long number, byte[] payload) {}

    /**
     * The records the previous run left, oldest first (once: the list is not kept). Their segments are
     * deleted by {@link #release} like any other once they are written.
     */
    List<Recovered> takeRecovered() {
        List<Recovered> r = recovered;
        recovered = List.of();
        return r;
    }

    /** Appends one record; returns its number. On failure nothing of it stays in the file. */
    long append(byte[] payload) throws IOException {
        if (payload.length > MAX_RECORD_BYTES) {
            throw new IOException("journal record of " + payload.length + " bytes is over " + MAX_RECORD_BYTES);
        }
        ByteBuffer b = ByteBuffer.allocate(HEADER + payload.length);
        b.putInt(payload.length).putInt(crc32c(payload)).put(payload).flip();
        try {
            while (b.hasRemaining()) current.write(b);
        } catch (IOException e) {
            // A partial record in the middle would hide every later one from the next start: cut it off.
            current.truncate(currentSize);
            throw e;
        }
        currentSize += b.limit();
        long number = next++;
        if (currentSize >= segmentBytes) {
            current.close();
            startSegment();
        }
        return number;
    }

    /** Deletes every segment but the current one whose records are all numbered {@code writtenThrough} or less. */
    void release(long writtenThrough) throws IOException {
        while (segments.size() > 1) {
            Map.Entry<Long, Path> oldest = segments.firstEntry();
            long secondFirst = segments.higherKey(oldest.getKey());
            if (secondFirst - 1 > writtenThrough) return;
            Files.deleteIfExists(oldest.getValue());
            segments.pollFirstEntry();
        }
    }

    /** Number of segment files, the current one included. */
    int segmentCount() {
        return segments.size();
    }

    private void startSegment() throws IOException {
        Path file = dir.resolve(String.format("%019d%s", next, SUFFIX));
        // A file of this name can only be the previous run's last segment with no whole record in it
        // (empty, or a write cut short): nothing acknowledged, so it is started again from nothing.
        current = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        currentSize = 0;
        segments.put(next, file);
    }

    @Override
    public void close() throws IOException {
        current.close();
    }

    private static int crc32c(byte[] payload) {
        CRC32C crc = new CRC32C();
        crc.update(payload);
        return (int) crc.getValue();
    }

}

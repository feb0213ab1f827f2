package dev.lockbox.server.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * CPU time of a process and of its threads from Linux procfs ({@code /proc/<pid>/stat} and
 * {@code /proc/<pid>/task/<tid>/stat}), in nanoseconds. Works for another JVM (the server) as for
 * this one; on a system without procfs every figure is zero.
 */
public record ProcStat(long userNanos, long sysNanos, Map<String, Long> byThreadName) {
    private static final long TICK_NANOS = 1_000_000_000L / 100; // USER_HZ is 100 on Linux

    public static ProcStat of(long pid) {
        long[] total = times(Path.of("/proc", Long.toString(pid), "stat"));
        Map<String, Long> threads = new TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    // thread names with digits folded: "lockbox-http-#", "C# CompilerThre"
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+", "#");
                    long[] f = parse(stat);
                    // keyed by name and tid, so a thread that ends between two snapshots does not
                    // make its siblings' time look negative
                    threads.put(name + "\u0000" + t.getFileName(), f[0] + f[1]);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            // no procfs
        }
        return new ProcStat(total[0], total[1], threads);
    }

    public long totalNanos() {
        return userNanos + sysNanos;
    }

    /** CPU used since {@code before}, by thread name (threads that ended in between are missing; their time is in the totals). */
    public ProcStat minus(ProcStat before) {
        Map<String, Long> delta = new TreeMap<>();
        byThreadName.forEach((key, nanos) -> delta.merge(key.substring(0, key.indexOf('\u0000')),
                nanos - before.byThreadName.getOrDefault(key, 0L), Long::sum));
        return new ProcStat(userNanos - before.userNanos, sysNanos - before.sysNanos, delta);
    }

    /** CPU of the JIT compiler threads ("C1 CompilerThread0", "C2 CompilerThread1", ...), after {@link #minus}. */
    public long compilerNanos() {
        return byThreadName.entrySet().stream().filter(e -> e.getKey().contains("CompilerThre")).mapToLong(Map.Entry::getValue).sum();
    }

    /** The biggest consumers by thread name, in µs per request. */
    String topThreads(long requests) {
        return byThreadName.entrySet().stream().filter(e -> e.getValue() > 0).sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(6).map(e -> String.format("%s %.0f", e.getKey(), e.getValue() / 1e3 / requests)).collect(Collectors.joining(", "));
    }

    /**
     * CPU of this process's children that ended and were waited for (cutime and cstime, fields 16 and
     * 17 of stat), in nanoseconds: how a load generator run as a child process (wrk) is measured.
     */
    static long reapedChildrenNanos() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[13]) + Long.parseLong(f[14])) * TICK_NANOS;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static long[] times(Path stat) {
        try {
            return parse(Files.readString(stat));
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }

    /** utime and stime (fields 14 and 15 of stat, after the parenthesised command name). */
    private static long[] parse(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[] {Long.parseLong(f[11]) * TICK_NANOS, Long.parseLong(f[12]) * TICK_NANOS};
    }
}

package dev.lockbox.driver.bench;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.lang.management.ThreadInfo;
import java.util.EnumMap;
import java.util.Map;

/**
 * CPU time of this JVM split by who spent it, for one benchmark cell: the benchmark (calling)
 * thread, the driver's audit shipper, the approval server's threads, H2's TCP server, and the
 * JVM's garbage collector and JIT compiler threads (from {@code /proc/self/task}, 10 ms ticks,
 * Linux only), and the whole process. Threads that end during a cell are not counted; the
 * process figure still includes them.
 */
final class CpuSplit {
    enum Part { CALLER, SHIPPER, SERVER, H2_TCP, OTHER_THREADS, GC, JIT, PROCESS }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private CpuSplit() {
    }

    /** Nanoseconds of CPU per part so far. */
    static Map<Part, Long> snapshot() {
        Map<Part, Long> sums = new EnumMap<>(Part.class);
        for (Part p : Part.values()) {
            sums.put(p, 0L);
        }
        long self = Thread.currentThread().getId();
        long[] ids = THREADS.getAllThreadIds();
        long[] cpu = THREADS.getThreadCpuTime(ids);
        ThreadInfo[] infos = THREADS.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            if (cpu[i] < 0 || infos[i] == null) {
                continue;
            }
            Part part = ids[i] == self ? Part.CALLER : partOf(infos[i].getThreadName());
            sums.merge(part, cpu[i], Long::sum);
        }
        addJvmThreads(sums);
        sums.put(Part.PROCESS, OS.getProcessCpuTime());
        return sums;
    }

    /** GC and JIT threads are not Java threads: their CPU (utime + stime, in clock ticks) comes from procfs. */
    private static void addJvmThreads(Map<Part, Long> sums) {
        File[] tasks = new File("/proc/self/task").listFiles();
        if (tasks == null) {
            return;
        }
        for (File task : tasks) {
            try {
                String comm = Files.readString(task.toPath().resolve("comm")).trim();
                Part part = comm.startsWith("GC Thread") || comm.startsWith("G1 ") || comm.startsWith("ZWorker")
                        || comm.startsWith("ZDriver") || comm.startsWith("VM Thread") ? Part.GC
                        : comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler") ? Part.JIT : null;
                if (part == null) {
                    continue;
                }
                String stat = Files.readString(task.toPath().resolve("stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
                sums.merge(part, ticks * 10_000_000L, Long::sum); // 100 ticks per second
            } catch (IOException | RuntimeException e) {
                // the thread ended meanwhile
            }
        }
    }

    /** Thread names: the driver's {@code lockbox-audit-ENV}, H2's {@code H2 TCP Server ...}, the approval server's {@code lockbox-*}. */
    static Part partOf(String name) {
        if (name.startsWith("lockbox-audit-channel") || name.startsWith("lockbox-audit-journal")) {
            return Part.SERVER; // the approval server's audit channel threads and its journal's writer
        }
        if (name.startsWith("lockbox-audit-")) {
            return Part.SHIPPER;
        }
        if (name.startsWith("H2 TCP Server")) {
            return Part.H2_TCP;
        }
        if (name.startsWith("lockbox-") && !name.startsWith("lockbox-grant-")) {
            return Part.SERVER; // lockbox-http-N, lockbox-store:*, lockbox-access-log, lockbox-scheduler, ...
        }
        return Part.OTHER_THREADS;
    }

    /** µs per operation of each part between two snapshots. */
    static Map<Part, Double> perOp(Map<Part, Long> before, Map<Part, Long> after, long ops) {
        Map<Part, Double> out = new EnumMap<>(Part.class);
        for (Part p : Part.values()) {
            out.put(p, (after.get(p) - before.get(p)) / 1000.0 / ops);
        }
        return out;
    }
}

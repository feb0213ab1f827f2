package dev.lockbox.driver.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.EnumMap;
import java.util.Map;

/**
 * CPU time of this JVM split by who spent it, for one benchmark cell: the benchmark (calling)
 * thread, the driver's audit shipper, the approval server's threads, H2's TCP server, and the
 * whole process (which adds what no Java thread shows: GC, JIT compilers). Threads that end
 * during a cell are not counted; the process figure still includes them.
 */
final class CpuSplit {
    enum Part { CALLER, SHIPPER, SERVER, H2_TCP, OTHER_THREADS, PROCESS }

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
        sums.put(Part.PROCESS, OS.getProcessCpuTime());
        return sums;
    }

    /** Thread names: the driver's {@code lockbox-audit-ENV}, H2's {@code H2 TCP Server ...}, the approval server's {@code lockbox-*}. */
    static Part partOf(String name) {
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

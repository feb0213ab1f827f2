package dev.lockbox.server.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The whole machine's CPU time from {@code /proc/stat} (its first line), in USER_HZ ticks: what a
 * phase's figures cannot show by themselves, namely how much of the cores went to processes other
 * than the benchmark's and how much the hypervisor took (steal). Two runs of the same code whose CPU
 * per request differs by half usually differ here. On a system without procfs every figure is zero.
 */
record MachineCpu(long busyTicks, long idleTicks, long stealTicks) {
    private static final long TICK_NANOS = 1_000_000_000L / 100; // USER_HZ is 100 on Linux

    static MachineCpu now() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal ...
            long busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6]) + Long.parseLong(f[7]);
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new MachineCpu(busy, idle, Long.parseLong(f[8]));
        } catch (IOException | RuntimeException e) {
            return new MachineCpu(0, 0, 0);
        }
    }

    /**
     * Since {@code before}: the share of all cores' time that was stolen, and the CPU that went to
     * other processes (everything busy minus the {@code ours} nanoseconds of the benchmark's processes), in
     * cores.
     */
    String since(MachineCpu before, long oursNanos, double seconds) {
        long busy = busyTicks - before.busyTicks;
        long all = busy + idleTicks - before.idleTicks + stealTicks - before.stealTicks;
        if (all <= 0 || seconds <= 0) return "machine CPU unknown";
        double others = Math.max(0, busy * TICK_NANOS - oursNanos) / 1e9 / seconds;
        return String.format("machine: steal %.1f%% of all cores, other processes %.2f cores", 100.0 * (stealTicks - before.stealTicks) / all, others);
    }
}

package dev.lockbox.exporter.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts a main class in a child JVM with this test run's classpath. */
public final class ChildJvm {
    private ChildJvm() {}

    public static ProcessBuilder command(Class<?> mainClass, Path workDir, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile());
        pb.environment().remove("LOCKBOX_TOKEN");
        pb.environment().remove("HADOOP_HOME");
        return pb;
    }

    public static Process start(Class<?> mainClass, Path workDir, String... args) throws IOException {
        return command(mainClass, workDir, args).start();
    }
}

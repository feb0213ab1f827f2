package dev.lockbox.exporter.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Looks at a local lake directory the way a user's shell would. */
public final class LakeFiles {
    private LakeFiles() {}

    /** Every regular file under {@code dir}, relative to it, sorted. */
    public static List<String> all(Path dir) throws IOException {
        if (!Files.exists(dir)) return List.of();
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/'))
                    .sorted().toList();
        }
    }

    public static List<String> parquet(Path dir) throws IOException {
        return all(dir).stream().filter(n -> n.endsWith(".parquet")).toList();
    }
}

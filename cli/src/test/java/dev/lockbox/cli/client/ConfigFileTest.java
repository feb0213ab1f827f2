package dev.lockbox.cli.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {
    @TempDir
    Path home;

    @Test
    void writesServerAndTokenReadableByTheOwnerOnly() throws Exception {
        Path path = home.resolve(".lockbox").resolve("config");
        ConfigFile config = new ConfigFile(path);

        config.write("http://127.0.0.1:8470", "tok-0123456789abcdef0123");

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path.getParent()))).isEqualTo("rwx------");
        ConfigFile.Saved saved = config.read();
        assertThat(saved.server()).contains("http://127.0.0.1:8470");
        assertThat(saved.token()).contains("tok-0123456789abcdef0123");
        assertThat(saved.toString()).doesNotContain("0123456789abcdef");
        // No temporary file left beside it.
        try (var files = Files.list(path.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("config");
        }
    }

    @Test
    void rewritingTightensALooseExistingFile() throws Exception {
        Path path = home.resolve("config");
        Files.writeString(path, "server=http://old:1\ntoken=old-token-0000000000\n");
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-r--r--"));

        new ConfigFile(path).write("http://new:2", "new-token-1111111111111");

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).isEqualTo("rw-------");
        assertThat(new ConfigFile(path).read().server()).contains("http://new:2");
    }

    @Test
    void aMissingFileReadsAsEmpty() {
        ConfigFile.Saved saved = new ConfigFile(home.resolve("nothing-here")).read();
        assertThat(saved.server()).isEmpty();
        assertThat(saved.token()).isEmpty();
    }

    @Test
    void aDirectoryInTheWayIsAClearError() throws Exception {
        Path path = home.resolve("config");
        Files.createDirectories(path.resolve("sub"));
        assertThatThrownBy(() -> new ConfigFile(path).write("http://a:1", "token-token-token-token"))
                .isInstanceOf(CliException.class)
                .hasMessageContaining("cannot write the Lockbox config file " + path)
                .extracting(e -> ((CliException) e).exitCode()).isEqualTo(ExitCode.CONFIG);
    }
}

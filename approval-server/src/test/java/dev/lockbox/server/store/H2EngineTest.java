package dev.lockbox.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockbox.exporter.testing.ChildJvm;
import dev.lockbox.server.ServerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.h2.engine.SysProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's store turns H2's value cache off; checked in a fresh JVM, since H2 reads it once per JVM. */
class H2EngineTest {

    @Test
    void theServersStoreOpensWithH2sValueCacheOff(@TempDir Path dir) throws Exception {
        Process p = ChildJvm.command(OpenStore.class, dir, dir.resolve("data").toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("objectCache=false");
    }

    @Test
    void otherStoresAreLeftAlone() {
        assertThat(H2Engine.configure("jdbc:postgresql://127.0.0.1/lockbox")).isTrue();
    }

    /** Opens the server's default store (an H2 file under the given data directory) and prints H2's setting. */
    public static final class OpenStore {
        public static void main(String[] args) {
            ServerConfig config = ServerConfig.defaults().withDataDir(Path.of(args[0]));
            try (Store store = Store.open(config.effectiveStoreUrl(), config.storeUser(), config.storePassword())) {
                System.out.println("objectCache=" + SysProperties.OBJECT_CACHE);
            }
        }
    }
}

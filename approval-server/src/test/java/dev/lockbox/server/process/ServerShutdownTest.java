package dev.lockbox.server.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockbox.api.admin.IssuedToken;
import dev.lockbox.api.admin.NewUser;
import dev.lockbox.api.admin.Role;
import dev.lockbox.server.ServerConfig;
import dev.lockbox.server.testing.ApiClient;
import dev.lockbox.server.testing.TestStore;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lockbox-server} as a process: SIGTERM (Ctrl-C, systemd stop) ends it cleanly and keeps what it acknowledged. */
class ServerShutdownTest {
    private static final String ADMIN = "process-admin-token-0123456789abcdef";

    @TempDir
    Path dir;

    @Test
    void sigtermExitsCleanlyWithoutStackTracesAndKeepsTheStore() throws Exception {
        try (TestStore store = TestStore.forRun(ServerConfig.defaults().withDataDir(dir))) {
            sigtermOn(store.serverArgs().toArray(String[]::new));
        }
    }

    private void sigtermOn(String... storeArgs) throws Exception {
        try (ChildServer child = ChildServer.start(dir, ADMIN, storeArgs)) {
            ApiClient api = new ApiClient(child.baseUrl());
            api.post(ADMIN, "/api/users", new NewUser("bob", List.of(Role.ENGINEER), null, null)).expect(201).as(IssuedToken.class);
            api.get(ADMIN, "/healthz").expect(200);

            int exit = child.terminate();

            String output = child.output();
            // 143 = 128 + SIGTERM: the JVM's status after its shutdown hooks ran to the end
            assertThat(exit).as("exit code after SIGTERM; output:%n%s", output).isEqualTo(143);
            // on the store this run asked for (the start line prints the store URL, never a password)
            assertThat(output).contains("store=" + (storeArgs.length > 0 ? storeArgs[1] : "jdbc:h2:file:"));
            assertThat(output).contains("Lockbox server stopped") // the hook closed server, scheduler, mail sender and pool
                    .doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("ERROR");
        }
        try (ChildServer again = ChildServer.start(dir, ADMIN, storeArgs)) {
            new ApiClient(again.baseUrl()).get(ADMIN, "/api/users/bob").expect(200);
            assertThat(again.terminate()).isEqualTo(143);
            assertThat(again.output()).contains("Lockbox server stopped").doesNotContain("Exception");
        }
    }
}

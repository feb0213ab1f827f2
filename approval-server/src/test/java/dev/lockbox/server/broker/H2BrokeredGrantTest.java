package dev.lockbox.server.broker;

import static org.junit.jupiter.api.Assertions.fail;

import dev.lockbox.api.admin.EnvironmentSpec;
import java.util.List;

/** {@link BrokeredGrantContract} on an H2 target over TCP, its admin password read from an environment variable. */
class H2BrokeredGrantTest extends BrokeredGrantContract {
    /** Set by the surefire configuration of this module (pom.xml). */
    static final String SECRET_VARIABLE = "LOCKBOX_TEST_TARGET_ADMIN_PASSWORD";

    @Override
    TestTarget startTarget(String environment) {
        return H2TestTarget.start(environment, adminSecret());
    }

    @Override
    EnvironmentSpec environmentSpec(TestTarget target) {
        return EnvironmentSpec.broker(ENV, "Sales", target.database().jdbcUrl(), List.of("alice"), H2TestTarget.ADMIN, null, SECRET_VARIABLE);
    }

    @Override
    String adminSecret() {
        String secret = System.getenv(SECRET_VARIABLE);
        if (secret == null) fail(SECRET_VARIABLE + " is not set; run the tests with Maven (approval-server/pom.xml sets it)");
        return secret;
    }
}

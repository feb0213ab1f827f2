package dev.lockbox.server.broker;

import dev.lockbox.api.admin.EnvironmentSpec;
import java.util.List;

/**
 * {@link BrokeredGrantContract} on a fresh PostgreSQL database ({@code LOCKBOX_TEST_PG_URL}), its
 * admin password given write-only in the API.
 */
class PostgresBrokeredGrantTest extends BrokeredGrantContract {
    private String secret;

    @Override
    TestTarget startTarget(String environment) {
        PostgresTestTarget t = PostgresTestTarget.start(environment);
        String configured = ((TargetDatabase.AdminSecret.Literal) t.database().adminSecret()).password();
        // Under trust authentication any password logs in; a distinctive one still shows whether it leaks.
        secret = configured.isEmpty() ? "pg-admin-secret-" + java.util.UUID.randomUUID() : configured;
        return t;
    }

    @Override
    EnvironmentSpec environmentSpec(TestTarget target) {
        return EnvironmentSpec.broker(ENV, "Sales", target.database().jdbcUrl(), List.of("alice"), target.database().adminUser(), secret, null);
    }

    @Override
    String adminSecret() {
        return secret;
    }
}

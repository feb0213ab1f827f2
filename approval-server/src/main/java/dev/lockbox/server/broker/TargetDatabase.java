package dev.lockbox.server.broker;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The protected database of one environment, as the broker reaches it.
 *
 * @param environment environment name
 * @param jdbcUrl     the target's JDBC URL; handed to engineers' drivers as is, so it must not carry
 *                    credentials (a {@code user=} in a PostgreSQL URL overrides the issued user)
 * @param adminUser   a user allowed to create and drop users, grant on the target's tables and end
 *                    other users' sessions (H2: ADMIN; PostgreSQL: CREATEROLE + pg_signal_backend, or superuser)
 * @param adminSecret where the admin password comes from; never logged
 * @param schema      the schema a whole-schema grant covers; null = the dialect's default ({@code PUBLIC} /
 *                    {@code public})
 */
public record TargetDatabase(String environment, String jdbcUrl, String adminUser, AdminSecret adminSecret, String schema) {
    private static final Pattern CREDENTIAL_IN_URL = Pattern.compile("(?i)[;?&](user|password)\\s*=");

    public TargetDatabase {
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(adminUser, "adminUser");
        Objects.requireNonNull(adminSecret, "adminSecret");
        if (CREDENTIAL_IN_URL.matcher(jdbcUrl).find()) {
            throw new IllegalArgumentException("the target URL of environment '" + environment
                    + "' carries a user or password; configure the admin user separately, because engineers receive this URL");
        }
        TargetDialect.forUrl(jdbcUrl); // refuses unsupported targets at configuration time
    }

    public static TargetDatabase of(String environment, String jdbcUrl, String adminUser, String adminPassword) {
        return new TargetDatabase(environment, jdbcUrl, adminUser, AdminSecret.literal(adminPassword), null);
    }

    public TargetDatabase withSchema(String s) {
        return new TargetDatabase(environment, jdbcUrl, adminUser, adminSecret, s);
    }

    TargetDialect dialect() {
        return TargetDialect.forUrl(jdbcUrl);
    }

    @Override
    public String toString() {
        return "TargetDatabase[environment=" + environment + ", jdbcUrl=" + jdbcUrl + ", adminUser=" + adminUser
                + ", adminSecret=" + adminSecret + ", schema=" + schema + "]";
    }

    /** The admin password: given in configuration, or read from an environment variable when needed. */
    public sealed interface AdminSecret {
        String resolve();

        static AdminSecret literal(String password) {
            return new Literal(password == null ? "" : password);
        }

        static AdminSecret fromEnvironmentVariable(String name) {
            return new EnvironmentVariable(name);
        }

        record Literal(String password) implements AdminSecret {
            public Literal {
                Objects.requireNonNull(password, "password");
            }

            @Override
            public String resolve() {
                return password;
            }

            @Override
            public String toString() {
                return "***";
            }
        }

        record EnvironmentVariable(String name) implements AdminSecret {
            public EnvironmentVariable {
                Objects.requireNonNull(name, "name");
                if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw new IllegalArgumentException("not an environment variable name: '" + GrantSpec.shorten(name) + "'");
                }
            }

            @Override
            public String resolve() {
                String v = System.getenv(name);
                if (v == null) {
                    throw new BrokerException("environment variable " + name + " (a target admin password) is not set");
                }
                return v;
            }

            @Override
            public String toString() {
                return "env:" + name;
            }
        }
    }
}

package dev.lockbox.server.environment;

import dev.lockbox.api.admin.CredentialMode;
import dev.lockbox.api.admin.EnvironmentSpec;
import dev.lockbox.api.admin.LockboxPolicy;
import dev.lockbox.api.admin.PolicyMode;
import dev.lockbox.api.admin.Role;
import dev.lockbox.server.broker.TargetDatabase;
import dev.lockbox.server.http.ApiException;
import dev.lockbox.server.http.Caller;
import dev.lockbox.server.http.Input;
import dev.lockbox.server.http.JsonBody;
import dev.lockbox.server.policy.PolicyStore;
import dev.lockbox.server.request.RequestStore;
import dev.lockbox.server.store.Store;
import dev.lockbox.server.user.Account;
import dev.lockbox.server.user.UserStore;
import io.javalin.http.Context;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** {@code /api/environments}: admins write, admins and approvers read. Credentials are write-only. */
public final class EnvironmentApi {
    private static final Pattern ENV_VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,199}");
    private static final Pattern SCHEMA_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*");
    private final Store store;
    private final EnvironmentStore environments;
    private final PolicyStore policies;
    private final UserStore users;
    private final RequestStore requests;
    private final JsonBody json;
    private final Clock clock;

    public EnvironmentApi(Store store, EnvironmentStore environments, PolicyStore policies, UserStore users,
                          RequestStore requests, JsonBody json, Clock clock) {
        this.store = store;
        this.environments = environments;
        this.policies = policies;
        this.users = users;
        this.requests = requests;
        this.json = json;
        this.clock = clock;
    }

    public void list(Context ctx) {
        Caller.of(ctx).require(Role.ADMIN, Role.APPROVER);
        LockboxPolicy policy = policies.current();
        ctx.json(environments.list().stream().map(e -> e.toWire(PolicyStore.protects(policy, e.name()))).toList());
    }

    public void get(Context ctx) {
        Caller.of(ctx).require(Role.ADMIN, Role.APPROVER);
        StoredEnvironment e = environments.find(ctx.pathParam("name")).orElseThrow(() -> unknown(ctx.pathParam("name")));
        ctx.json(e.toWire(PolicyStore.protects(policies.current(), e.name())));
    }

    public void create(Context ctx) {
        Caller.of(ctx).require(Role.ADMIN);
        EnvironmentSpec spec = json.read(ctx, EnvironmentSpec.class);
        String name = Input.environmentName("name", spec.name());
        Instant now = now();
        StoredEnvironment created = store.inTransaction(c -> {
            if (environments.exists(c, name)) throw new ApiException(409, "exists", "environment " + name + " already exists");
            StoredEnvironment e = validated(c, name, spec, null, now);
            environments.insert(c, e);
            return e;
        });
        ctx.status(201).json(created.toWire(PolicyStore.protects(policies.current(), name)));
    }

    public void update(Context ctx) {
        Caller.of(ctx).require(Role.ADMIN);
        String name = ctx.pathParam("name");
        EnvironmentSpec spec = json.read(ctx, EnvironmentSpec.class);
        if (spec.name() != null && !spec.name().equals(name)) {
            throw ApiException.invalid("name", "does not match the environment in the path (" + name + "); environments cannot be renamed");
        }
        Instant now = now();
        StoredEnvironment updated = store.inTransaction(c -> {
            StoredEnvironment old = environments.find(c, name).orElseThrow(() -> unknown(name));
            StoredEnvironment e = validated(c, name, spec, old, now);
            environments.update(c, e);
            return e;
        });
        ctx.json(updated.toWire(PolicyStore.protects(policies.current(), name)));
    }

    public void delete(Context ctx) {
        Caller.of(ctx).require(Role.ADMIN);
        String name = ctx.pathParam("name");
        store.inTransaction(c -> {
            environments.find(c, name).orElseThrow(() -> unknown(name));
            LockboxPolicy policy = policies.current(c);
            if (policy.mode() == PolicyMode.SELECTED && policy.environments().contains(name)) {
                throw ApiException.conflict("environment " + name + " is listed in the lockbox policy; remove it from the policy first");
            }
            Optional<String> open = requests.openRequestOn(c, name);
            if (open.isPresent()) {
                throw ApiException.conflict("environment " + name + " has an open request (" + open.get() + "); deny, revoke or let it end first");
            }
            return environments.delete(c, name);
        });
        ctx.status(204);
    }

    private StoredEnvironment validated(Connection c, String name, EnvironmentSpec spec, StoredEnvironment old, Instant now) throws SQLException {
        String displayName = spec.displayName() == null ? name : Input.text("displayName", spec.displayName(), 200);
        String jdbcUrl = Input.text("jdbcUrl", spec.jdbcUrl(), 2000);
        if (!jdbcUrl.startsWith("jdbc:")) throw ApiException.invalid("jdbcUrl", "must be a JDBC URL starting with jdbc:");
        if (jdbcUrl.startsWith("jdbc:lockbox:")) throw ApiException.invalid("jdbcUrl", "must name the real database, not a jdbc:lockbox: URL");
        List<String> approvers = spec.approvers() == null ? List.of() : Input.noNulls("approvers", spec.approvers());
        approvers = List.copyOf(new LinkedHashSet<>(approvers));
        for (int i = 0; i < approvers.size(); i++) {
            String field = "approvers[" + i + "]";
            Input.userName(field, approvers.get(i));
            Optional<Account> a = users.find(c, approvers.get(i));
            if (a.isEmpty()) throw ApiException.invalid(field, "no user named " + approvers.get(i));
            if (!a.get().has(Role.APPROVER) || a.get().disabled()) {
                throw ApiException.invalid(field, approvers.get(i) + " is not an enabled user with the approver role");
            }
        }
        boolean recordParameters = spec.recordParameters() == null || spec.recordParameters();
        CredentialMode mode = spec.credentialMode() != null ? spec.credentialMode() : old != null ? old.credentialMode() : CredentialMode.STATIC;
        Credentials cred = mode == CredentialMode.BROKER ? brokerCredentials(name, jdbcUrl, spec, old) : staticCredentials(spec, old);
        if (old != null && (old.brokered() || mode == CredentialMode.BROKER)
                && (old.credentialMode() != mode || !old.jdbcUrl().equals(jdbcUrl))) {
            // The broker drops a grant's user on the target it was created on: moving the target
            // (or the mode) under a live grant would leave that user behind.
            Optional<String> open = requests.openRequestOn(c, name);
            if (open.isPresent()) {
                throw ApiException.conflict("environment " + name + " has an open request (" + open.get()
                        + "); its jdbcUrl and credentialMode can change once no grant is open");
            }
        }
        return new StoredEnvironment(name, displayName, jdbcUrl, approvers.stream().sorted().toList(), recordParameters,
                cred.targetUser(), cred.targetPassword(), old == null ? now : old.createdAt(), now, mode,
                cred.adminUser(), cred.adminPassword(), cred.adminSecretEnv(), cred.targetSchema());
    }

    /** The credential columns of a row; only those of the row's mode are set. */
    private record Credentials(String targetUser, String targetPassword, String adminUser, String adminPassword,
                               String adminSecretEnv, String targetSchema) {}

    private static Credentials staticCredentials(EnvironmentSpec spec, StoredEnvironment old) {
        for (String[] f : new String[][] {{"adminUser", spec.adminUser()}, {"adminPassword", spec.adminPassword()},
                {"adminSecretEnv", spec.adminSecretEnv()}, {"targetSchema", spec.targetSchema()}}) {
            if (f[1] != null) throw ApiException.invalid(f[0], "is only used with credentialMode broker");
        }
        String targetUser = Input.optionalText("targetUser", spec.targetUser(), 200);
        String targetPassword = spec.targetPassword();
        if (targetPassword != null && targetPassword.length() > 1000) throw ApiException.invalid("targetPassword", "longer than 1000 characters");
        if (targetUser == null && targetPassword != null) throw ApiException.invalid("targetUser", "is required when targetPassword is given");
        if (targetUser == null && old != null && !old.brokered()) {
            // Write-only credentials: a PUT that leaves them out keeps the stored ones.
            targetUser = old.targetUser();
            targetPassword = old.targetPassword();
        }
        return new Credentials(targetUser, targetPassword, null, null, null, null);
    }

    private static Credentials brokerCredentials(String name, String jdbcUrl, EnvironmentSpec spec, StoredEnvironment old) {
        if (spec.targetUser() != null || spec.targetPassword() != null) {
            throw ApiException.invalid(spec.targetUser() != null ? "targetUser" : "targetPassword",
                    "is only used with credentialMode static; a broker environment gets a database user per grant (give adminUser)");
        }
        String adminUser = Input.optionalText("adminUser", spec.adminUser(), 200);
        String adminPassword = spec.adminPassword();
        String adminSecretEnv = spec.adminSecretEnv();
        if (adminUser == null) {
            if (adminPassword != null || adminSecretEnv != null) {
                throw ApiException.invalid("adminUser", "is required when adminPassword or adminSecretEnv is given");
            }
            if (old == null || !old.brokered()) {
                throw ApiException.invalid("adminUser", "is required with credentialMode broker: the target user that creates and drops "
                        + "the grant users (H2: an ADMIN user; PostgreSQL: a superuser or CREATEROLE + pg_signal_backend)");
            }
            // Write-only credentials: a PUT that leaves them out keeps the stored ones.
            adminUser = old.adminUser();
            adminPassword = old.adminPassword();
            adminSecretEnv = old.adminSecretEnv();
        } else {
            if ((adminPassword == null) == (adminSecretEnv == null)) {
                throw ApiException.invalid("adminSecretEnv", "give exactly one of adminSecretEnv (the name of an environment variable of "
                        + "the server holding the admin password) or adminPassword");
            }
            if (adminPassword != null && (adminPassword.isEmpty() || adminPassword.length() > 1000)) {
                throw ApiException.invalid("adminPassword", "must be 1..1000 characters");
            }
            if (adminSecretEnv != null) {
                if (!ENV_VARIABLE.matcher(adminSecretEnv).matches()) {
                    throw ApiException.invalid("adminSecretEnv", "'" + Input.shorten(adminSecretEnv) + "' is not an environment variable name");
                }
                // Checked now, not at the first grant: a grant that cannot get its user is refused.
                if (System.getenv(adminSecretEnv) == null) {
                    throw ApiException.invalid("adminSecretEnv", "environment variable " + adminSecretEnv + " is not set on this server");
                }
            }
        }
        String targetSchema = Input.optionalText("targetSchema", spec.targetSchema(), 128);
        if (targetSchema != null && !SCHEMA_NAME.matcher(targetSchema).matches()) {
            throw ApiException.invalid("targetSchema", "'" + Input.shorten(targetSchema) + "' is not a plain schema name (letters, digits, _ and $)");
        }
        try {
            // The broker's own checks: a supported target, and no credentials in the URL handed to drivers.
            new TargetDatabase(name, jdbcUrl, adminUser, TargetDatabase.AdminSecret.literal(""), targetSchema);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("jdbcUrl", e.getMessage());
        }
        return new Credentials(null, null, adminUser, adminPassword, adminSecretEnv, targetSchema);
    }

    private static ApiException unknown(String name) {
        return ApiException.notFound("no environment named " + name);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}

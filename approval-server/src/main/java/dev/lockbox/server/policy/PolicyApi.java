package dev.lockbox.server.policy;

import dev.lockbox.api.admin.LockboxPolicy;
import dev.lockbox.api.admin.PolicyMode;
import dev.lockbox.api.admin.Role;
import dev.lockbox.server.environment.EnvironmentStore;
import dev.lockbox.server.http.ApiException;
import dev.lockbox.server.http.Caller;
import dev.lockbox.server.http.Input;
import dev.lockbox.server.http.JsonBody;
import dev.lockbox.server.store.Store;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/** {@code /api/policy}: which environments the lockbox protects (admins only). */
public final class PolicyApi {
    private final Store store;
    private final PolicyStore policies;
    private final EnvironmentStore environments;
    private final JsonBody json;
    private final Clock clock;

    public PolicyApi(Store store, PolicyStore policies, EnvironmentStore environments, JsonBody json, Clock clock) {
        this.store = store;
        this.policies = policies;
        this.environments = environments;
        this.json = json;
        this.clock = clock;
    }

    public void get(Context ctx) {
        Caller.of(ctx).require(Role.ADMIN);
        ctx.json(policies.current());
    }

    public void put(Context ctx) {
        Caller caller = Caller.of(ctx).require(Role.ADMIN);
        LockboxPolicy body = json.read(ctx, LockboxPolicy.class);
        if (body.mode() == null) throw ApiException.invalid("mode", "must be ALL, SELECTED or NONE");
        List<String> names = body.environments() == null ? List.of() : Input.noNulls("environments", body.environments());
        if (body.mode() != PolicyMode.SELECTED && !names.isEmpty()) {
            throw ApiException.invalid("environments", "must be empty unless mode is SELECTED");
        }
        for (int i = 0; i < names.size(); i++) Input.environmentName("environments[" + i + "]", names.get(i));
        LockboxPolicy after = new LockboxPolicy(body.mode(), List.copyOf(new LinkedHashSet<>(names)));
        LockboxPolicy result = store.inTransaction(c -> {
            List<String> unknown = new ArrayList<>();
            for (String n : after.environments()) if (!environments.exists(c, n)) unknown.add(n);
            if (!unknown.isEmpty()) throw ApiException.invalid("environments", "unknown environment(s) " + unknown);
            LockboxPolicy before = policies.current(c);
            policies.replace(c, before, after, caller.name(), clock.instant().truncatedTo(ChronoUnit.MILLIS));
            return after;
        });
        ctx.json(result);
    }

    public void history(Context ctx) {
        Caller.of(ctx).require(Role.ADMIN);
        ctx.json(policies.history());
    }
}

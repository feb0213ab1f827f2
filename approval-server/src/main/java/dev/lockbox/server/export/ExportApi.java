package dev.lockbox.server.export;

import dev.lockbox.api.admin.LockboxPolicy;
import dev.lockbox.api.admin.PolicyMode;
import dev.lockbox.api.admin.Role;
import dev.lockbox.api.export.EnvironmentExportStatus;
import dev.lockbox.api.export.ExportConfig;
import dev.lockbox.api.export.ExportEnvironmentMode;
import dev.lockbox.api.export.ExportState;
import dev.lockbox.api.export.ExportStatus;
import dev.lockbox.server.environment.EnvironmentStore;
import dev.lockbox.server.http.ApiException;
import dev.lockbox.server.http.Caller;
import dev.lockbox.server.http.Input;
import dev.lockbox.server.http.JsonBody;
import dev.lockbox.server.policy.PolicyStore;
import dev.lockbox.server.store.Store;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * {@code GET/PUT /api/export}: the exporter running inside the server (admins configure it,
 * auditors may read its status), and {@code GET /api/audit/environments}, the environments the
 * standalone exporter finds on the feed.
 */
public final class ExportApi {
    static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);
    static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
    static final Duration MAX_INTERVAL = Duration.ofDays(1);

    private final Store store;
    private final ExportConfigStore configs;
    private final AuditChainHeads heads;
    private final EnvironmentStore environments;
    private final PolicyStore policies;
    private final LakeDestination destinations;
    private final ExportJob job;
    private final JsonBody json;
    private final Clock clock;

    public ExportApi(Store store, ExportConfigStore configs, AuditChainHeads heads, EnvironmentStore environments,
                     PolicyStore policies, LakeDestination destinations, ExportJob job, JsonBody json, Clock clock) {
        this.store = store;
        this.configs = configs;
        this.heads = heads;
        this.environments = environments;
        this.policies = policies;
        this.destinations = destinations;
        this.job = job;
        this.json = json;
        this.clock = clock;
    }

    public void get(Context ctx) {
        Caller.of(ctx).require(Role.ADMIN, Role.AUDITOR);
        ctx.json(status());
    }

    public void put(Context ctx) {
        Caller caller = Caller.of(ctx).require(Role.ADMIN);
        ExportConfig body = json.read(ctx, ExportConfig.class);
        String destination = destinations.check("destination", body.destination());
        ExportEnvironmentMode mode = body.environmentMode() == null ? ExportEnvironmentMode.ALL : body.environmentMode();
        List<String> names = body.environments() == null ? List.of() : Input.noNulls("environments", body.environments());
        if (mode == ExportEnvironmentMode.ALL && !names.isEmpty()) {
            throw ApiException.invalid("environments", "must be empty when environmentMode is ALL");
        }
        if (mode == ExportEnvironmentMode.SELECTED && names.isEmpty()) {
            throw ApiException.invalid("environments", "name at least one environment when environmentMode is SELECTED");
        }
        for (int i = 0; i < names.size(); i++) Input.environmentName("environments[" + i + "]", names.get(i));
        Duration interval = body.interval() == null ? DEFAULT_INTERVAL : body.interval();
        if (interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0) {
            throw ApiException.invalid("interval", interval + " is outside " + MIN_INTERVAL + " to " + MAX_INTERVAL);
        }
        ExportConfig config = new ExportConfig(destination, mode, List.copyOf(new LinkedHashSet<>(names)), interval,
                body.enabled() == null || body.enabled());
        Map<String, Long> audited = heads.latest();
        store.inTransaction(c -> {
            // Known: configured now, or gone but with audit events still to export.
            List<String> unknown = new ArrayList<>();
            for (String n : config.environments()) if (!environments.exists(c, n) && !audited.containsKey(n)) unknown.add(n);
            if (!unknown.isEmpty()) throw ApiException.invalid("environments", "unknown environment(s) " + unknown);
            configs.save(c, config, caller.name(), clock.instant().truncatedTo(ChronoUnit.MILLIS));
            return null;
        });
        job.wake();
        ctx.json(status());
    }

    /** Environments that have sealed audit events, sorted (auditors and admins: the exporter's feed). */
    public void auditEnvironments(Context ctx) {
        Caller.of(ctx).require(Role.AUDITOR, Role.ADMIN);
        ctx.json(List.copyOf(heads.latest().keySet()));
    }

    /** Read from the store, so every replica answers alike, whichever one exports. */
    ExportStatus status() {
        Optional<StoredExport> stored = configs.load();
        LockboxPolicy policy = policies.current();
        ExportConfig config = stored.map(StoredExport::config).orElse(new ExportConfig(destinations.defaultDestination(),
                ExportEnvironmentMode.ALL, List.of(), DEFAULT_INTERVAL, true));
        String reason = null;
        if (stored.isEmpty()) reason = "export is not configured: an admin configures it with PUT /api/export";
        else if (!config.enabled()) reason = "export is switched off (enabled: false)";
        else if (policy.mode() == PolicyMode.NONE) reason = "the lockbox policy protects no environment (mode NONE)";

        Map<String, Long> latest = heads.latest();
        Map<String, Long> exported = configs.progress();
        TreeSet<String> envs = new TreeSet<>();
        if (config.environmentMode() == ExportEnvironmentMode.SELECTED) {
            envs.addAll(config.environments());
        } else {
            envs.addAll(latest.keySet());
            envs.addAll(exported.keySet());
        }
        List<EnvironmentExportStatus> progress = new ArrayList<>();
        long lag = 0;
        for (String env : envs) {
            long done = exported.getOrDefault(env, 0L);
            long last = latest.getOrDefault(env, 0L);
            long behind = Math.max(0, last - done);
            lag += behind;
            progress.add(new EnvironmentExportStatus(env, done, last, behind));
        }
        return new ExportStatus(config, stored.isPresent(), reason == null ? ExportState.CONNECTED : ExportState.DISABLED,
                reason, stored.map(StoredExport::lastRunAt).orElse(null), stored.map(StoredExport::lastError).orElse(null),
                progress, lag);
    }
}

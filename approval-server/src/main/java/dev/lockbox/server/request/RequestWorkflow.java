package dev.lockbox.server.request;

import dev.lockbox.api.admin.Role;
import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.api.request.NewAccessRequest;
import dev.lockbox.api.request.RequestHistoryEntry;
import dev.lockbox.api.request.RequestStatus;
import dev.lockbox.server.audit.AuditLog;
import dev.lockbox.server.audit.SessionEvent;
import dev.lockbox.server.environment.EnvironmentStore;
import dev.lockbox.server.environment.StoredEnvironment;
import dev.lockbox.server.grant.GrantLifecycleListener;
import dev.lockbox.server.http.ApiException;
import dev.lockbox.server.http.Caller;
import dev.lockbox.server.http.Input;
import dev.lockbox.server.mail.Notifications;
import dev.lockbox.server.policy.PolicyStore;
import dev.lockbox.server.session.DriverSession;
import dev.lockbox.server.session.SessionStore;
import dev.lockbox.server.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lockbox request lifecycle of DESIGN.md: PENDING → APPROVED | DENIED | EXPIRED | CANCELLED,
 * APPROVED → REVOKED, and the end of an approved window. Each step is one transaction holding the
 * state change, its history entry and its mails; anything else is 409 and changes nothing.
 */
public final class RequestWorkflow {
    /** Actor recorded for grants issued at once because the policy does not protect the environment. */
    public static final String POLICY_ACTOR = "policy";
    public static final String SCHEDULER_ACTOR = "scheduler";
    private static final Logger LOG = LoggerFactory.getLogger(RequestWorkflow.class);
    /** Table names as SQL writes them: optionally schema- (and catalog-) qualified identifiers. */
    private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*(\\.[A-Za-z_][A-Za-z0-9_$]*){0,2}");

    private final Store store;
    private final Clock clock;
    private final Duration requestTtl;
    private final Duration maxAccessPeriod;
    private final RequestStore requests;
    private final EnvironmentStore environments;
    private final PolicyStore policies;
    private final SessionStore sessions;
    private final Notifications notifications;
    private final AuditLog auditLog;
    private final GrantLifecycleListener listener;

    public RequestWorkflow(Store store, Clock clock, Duration requestTtl, Duration maxAccessPeriod, RequestStore requests,
                           EnvironmentStore environments, PolicyStore policies, SessionStore sessions,
                           Notifications notifications, AuditLog auditLog, GrantLifecycleListener listener) {
        this.store = store;
        this.clock = clock;
        this.requestTtl = requestTtl;
        this.maxAccessPeriod = maxAccessPeriod;
        this.requests = requests;
        this.environments = environments;
        this.policies = policies;
        this.sessions = sessions;
        this.notifications = notifications;
        this.auditLog = auditLog;
        this.listener = listener;
    }

    public Duration maxAccessPeriod() {
        return maxAccessPeriod;
    }

    public AccessRequest create(Caller caller, NewAccessRequest body) {
        caller.require(Role.ENGINEER);
        String envName = Input.environmentName("environment", body.environment());
        String ticket = Input.text("supportTicketId", body.supportTicketId(), 200);
        String justification = Input.text("justification", body.justification(), 4000);
        if (body.accessLevel() == null) throw ApiException.invalid("accessLevel", "must be READ_ONLY or READ_WRITE");
        Duration period = body.accessPeriod() == null ? maxAccessPeriod : body.accessPeriod();
        if (period.isNegative() || period.isZero()) throw ApiException.invalid("accessPeriod", "must be a positive ISO-8601 duration, got " + period);
        if (period.compareTo(maxAccessPeriod) > 0) {
            throw ApiException.invalid("accessPeriod", period + " is over the maximum of " + maxAccessPeriod);
        }
        List<String> scope = scope(body.scope());
        Instant now = now();
        AccessRequest created = store.inTransaction(c -> {
            StoredEnvironment env = environments.find(c, envName)
                    .orElseThrow(() -> ApiException.invalid("environment", "unknown environment " + envName));
            Optional<AccessRequest> open = requests.openRequestOf(c, caller.name(), envName, now);
            if (open.isPresent()) {
                throw ApiException.conflict("you already have request " + open.get().id() + " (" + open.get().status()
                        + ") on " + envName + "; cancel it or wait until it ends before filing another");
            }
            String id = UUID.randomUUID().toString();
            boolean guarded = policies.protects(c, envName);
            AccessRequest r = guarded
                    ? new AccessRequest(id, ticket, envName, caller.name(), justification, body.accessLevel(), scope, period,
                            now, now.plus(requestTtl), RequestStatus.PENDING, null, null, null, null, List.of())
                    : new AccessRequest(id, ticket, envName, caller.name(), justification, body.accessLevel(), scope, period,
                            now, now.plus(requestTtl), RequestStatus.APPROVED, POLICY_ACTOR, now, now, now.plus(period), List.of());
            requests.insert(c, r);
            if (guarded) {
                requests.addHistory(c, id, new RequestHistoryEntry(now, caller.name(), "create", null, RequestStatus.PENDING, null));
                notifications.pending(c, r, env.approvers(), now);
            } else {
                requests.addHistory(c, id, new RequestHistoryEntry(now, POLICY_ACTOR, "approve", null, RequestStatus.APPROVED,
                        "environment " + envName + " is not protected by the lockbox policy"));
            }
            return r;
        });
        if (created.status() == RequestStatus.APPROVED) started(created);
        return withHistory(created);
    }

    public AccessRequest approve(Caller caller, String id, String comment) {
        return decide(caller, id, Decision.APPROVE, comment);
    }

    public AccessRequest deny(Caller caller, String id, String comment) {
        return decide(caller, id, Decision.DENY, comment);
    }

    public AccessRequest revoke(Caller caller, String id, String comment) {
        return decide(caller, id, Decision.REVOKE, comment);
    }

    public AccessRequest cancel(Caller caller, String id, String comment) {
        return decide(caller, id, Decision.CANCEL, comment);
    }

    /** Expires every PENDING request whose requestExpiresAt has come; returns how many. */
    public int expireDue(Instant now) {
        int n = 0;
        for (String id : requests.duePending(now)) if (expire(id, now)) n++;
        return n;
    }

    /** Closes every approved window whose accessExpiresAt has come; returns how many. */
    public int endDueAccess(Instant now) {
        int n = 0;
        for (String id : requests.dueAccessEnd(now)) {
            List<DriverSession> closed = new ArrayList<>();
            Optional<AccessRequest> ended = store.inTransaction(c -> {
                if (!requests.markAccessEnded(c, id, now)) return Optional.<AccessRequest>empty();
                AccessRequest r = requests.find(c, id).orElseThrow();
                requests.addHistory(c, id, new RequestHistoryEntry(now, SCHEDULER_ACTOR, "access_ended", RequestStatus.APPROVED,
                        RequestStatus.APPROVED, "access window ended at " + r.accessExpiresAt()));
                closed.addAll(sessions.closeAllOf(c, id, now));
                return Optional.of(r);
            });
            if (ended.isPresent()) {
                n++;
                ended(ended.get(), closed, now);
            }
        }
        return n;
    }

    private boolean expire(String id, Instant now) {
        return store.inTransaction(c -> {
            Optional<AccessRequest> r = requests.find(c, id);
            if (r.isEmpty() || r.get().status() != RequestStatus.PENDING || now.isBefore(r.get().requestExpiresAt())) return false;
            AccessRequest expired = with(r.get(), RequestStatus.EXPIRED, SCHEDULER_ACTOR, now, null, null);
            if (!requests.transition(c, RequestStatus.PENDING, expired, null)) return false;
            requests.addHistory(c, id, new RequestHistoryEntry(now, SCHEDULER_ACTOR, "expire", RequestStatus.PENDING, RequestStatus.EXPIRED,
                    "not approved before " + r.get().requestExpiresAt()));
            notifications.decided(c, expired, SCHEDULER_ACTOR, null, now);
            return true;
        });
    }

    private AccessRequest decide(Caller caller, String id, Decision d, String rawComment) {
        String comment = Input.optionalText("comment", rawComment, 2000);
        Instant now = now();
        AccessRequest current = requests.find(id).orElseThrow(() -> ApiException.notFound("no access request " + id));
        authorize(caller, current, d);
        if (current.status() == RequestStatus.PENDING && !now.isBefore(current.requestExpiresAt())) {
            // Due but the scheduler has not run yet: the request is expired, whoever asks first.
            expire(id, now);
            throw ApiException.conflict("request " + id + " expired at " + current.requestExpiresAt() + "; it can no longer be " + d.past);
        }
        if (current.status() != d.from) {
            throw ApiException.conflict("request " + id + " is " + current.status() + "; only a " + d.from + " request can be " + d.past);
        }
        if (d == Decision.REVOKE && !now.isBefore(current.accessExpiresAt())) {
            throw ApiException.conflict("the access window of request " + id + " already ended at " + current.accessExpiresAt());
        }
        AccessRequest next = switch (d) {
            case APPROVE -> with(current, RequestStatus.APPROVED, caller.name(), now, now, now.plus(current.accessPeriod()));
            case DENY, CANCEL -> with(current, d.to, caller.name(), now, null, null);
            case REVOKE -> with(current, RequestStatus.REVOKED, current.decidedBy(), current.decidedAt(), current.accessStartsAt(), current.accessExpiresAt());
        };
        List<DriverSession> closed = new ArrayList<>();
        boolean changed = store.inTransaction(c -> {
            if (!requests.transition(c, d.from, next, d == Decision.REVOKE ? now : null)) return false;
            requests.addHistory(c, id, new RequestHistoryEntry(now, caller.name(), d.action, d.from, d.to, comment));
            if (d != Decision.CANCEL) notifications.decided(c, next, caller.name(), comment, now);
            if (d == Decision.REVOKE) closed.addAll(sessions.closeAllOf(c, id, now));
            return true;
        });
        if (!changed) {
            AccessRequest now2 = requests.find(id).orElseThrow();
            throw ApiException.conflict("request " + id + " is " + now2.status() + "; only a " + d.from + " request can be " + d.past);
        }
        if (d == Decision.APPROVE) started(next);
        if (d == Decision.REVOKE) ended(next, closed, now);
        return withHistory(next);
    }

    private void authorize(Caller caller, AccessRequest r, Decision d) {
        boolean own = caller.name().equals(r.requester());
        if (d == Decision.CANCEL) {
            if (!own) throw ApiException.forbidden("only the requester (" + r.requester() + ") can cancel request " + r.id());
            return;
        }
        if (own) throw ApiException.forbidden("a requester never decides its own request (" + r.id() + ")");
        StoredEnvironment env = environments.find(r.environment()).orElse(null);
        boolean designated = caller.has(Role.APPROVER) && env != null && env.isApprover(caller.name());
        if (d == Decision.REVOKE && caller.has(Role.ADMIN)) return;
        if (!designated) {
            throw ApiException.forbidden("only a designated approver of " + r.environment()
                    + (d == Decision.REVOKE ? " or an admin" : "") + " can " + d.verb + " request " + r.id());
        }
    }

    private void started(AccessRequest grant) {
        try {
            listener.grantStarted(grant);
        } catch (RuntimeException e) {
            LOG.error("grant listener failed on start of {}", grant.id(), e);
        }
    }

    private void ended(AccessRequest grant, List<DriverSession> closed, Instant now) {
        for (DriverSession s : closed) {
            try {
                auditLog.recordSessionEvent(new SessionEvent(AuditEvent.DISCONNECT, now, s.environment(), s.engineer(), s.requestId(),
                        grant.supportTicketId(), s.database(), s.dbUser(), s.sessionId(), s.clientHost(), s.applicationName(), null));
            } catch (RuntimeException e) {
                LOG.error("could not record DISCONNECT of session {} (grant {} ended)", s.sessionId(), grant.id(), e);
            }
        }
        try {
            listener.grantEnded(grant);
        } catch (RuntimeException e) {
            LOG.error("grant listener failed on end of {}", grant.id(), e);
        }
    }

    private AccessRequest withHistory(AccessRequest r) {
        return store.read(c -> RequestStore.withHistory(r, requests.history(c, r.id())));
    }

    private static List<String> scope(List<String> raw) {
        if (raw == null || raw.isEmpty()) return null;
        Input.noNulls("scope", raw);
        if (raw.size() > 200) throw ApiException.invalid("scope", "at most 200 tables");
        for (int i = 0; i < raw.size(); i++) {
            String t = raw.get(i);
            if (t.length() > 200 || !TABLE_NAME.matcher(t).matches()) {
                throw ApiException.invalid("scope[" + i + "]", "'" + (t.length() > 80 ? t.substring(0, 80) + "…" : t) + "' is not a table name");
            }
        }
        return List.copyOf(new LinkedHashSet<>(raw));
    }

    private static AccessRequest with(AccessRequest r, RequestStatus status, String decidedBy, Instant decidedAt, Instant starts, Instant expires) {
        return new AccessRequest(r.id(), r.supportTicketId(), r.environment(), r.requester(), r.justification(), r.accessLevel(),
                r.scope(), r.accessPeriod(), r.createdAt(), r.requestExpiresAt(), status, decidedBy, decidedAt, starts, expires, List.of());
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private enum Decision {
        APPROVE(RequestStatus.PENDING, RequestStatus.APPROVED, "approve", "approve", "approved"),
        DENY(RequestStatus.PENDING, RequestStatus.DENIED, "deny", "deny", "denied"),
        REVOKE(RequestStatus.APPROVED, RequestStatus.REVOKED, "revoke", "revoke", "revoked"),
        CANCEL(RequestStatus.PENDING, RequestStatus.CANCELLED, "cancel", "cancel", "cancelled");

        final RequestStatus from;
        final RequestStatus to;
        final String action;
        final String verb;
        final String past;

        Decision(RequestStatus from, RequestStatus to, String action, String verb, String past) {
            this.from = from;
            this.to = to;
            this.action = action;
            this.verb = verb;
            this.past = past;
        }
    }
}

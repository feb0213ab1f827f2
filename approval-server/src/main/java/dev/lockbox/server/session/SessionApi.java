package dev.lockbox.server.session;

import dev.lockbox.api.admin.Role;
import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.grant.SessionGrant;
import dev.lockbox.api.grant.SessionOpen;
import dev.lockbox.api.grant.TargetConnection;
import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.server.audit.AuditLog;
import dev.lockbox.server.audit.SessionEvent;
import dev.lockbox.server.environment.EnvironmentStore;
import dev.lockbox.server.grant.Grant;
import dev.lockbox.server.grant.GrantCredentials;
import dev.lockbox.server.grant.GrantLookup;
import dev.lockbox.server.http.ApiException;
import dev.lockbox.server.http.Caller;
import dev.lockbox.server.http.Input;
import dev.lockbox.server.http.JsonBody;
import dev.lockbox.server.request.RequestStore;
import dev.lockbox.server.store.Store;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * {@code /api/sessions}: the driver opening and closing a connection. Every open is audited
 * (CONNECT or CONNECT_DENIED) and the target connection is handed out only after the CONNECT
 * event is durable (fail-closed). On a broker environment the target connection is the grant's own
 * database user; when it cannot be issued the connect is refused (CONNECT_DENIED) with the reason.
 */
public final class SessionApi {
    private static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private final Store store;
    private final SessionStore sessions;
    private final GrantLookup lookup;
    private final GrantCredentials credentials;
    private final EnvironmentStore environments;
    private final RequestStore requests;
    private final AuditLog auditLog;
    private final JsonBody json;
    private final Clock clock;
    /** Told to drivers with every session grant; null when the server runs no audit channel. */
    private final Integer auditChannelPort;

    public SessionApi(Store store, SessionStore sessions, GrantLookup lookup, GrantCredentials credentials, EnvironmentStore environments, RequestStore requests, AuditLog auditLog,
                      JsonBody json, Clock clock, Integer auditChannelPort) {
        this.store = store;
        this.sessions = sessions;
        this.lookup = lookup;
        this.credentials = credentials;
        this.environments = environments;
        this.requests = requests;
        this.auditLog = auditLog;
        this.json = json;
        this.clock = clock;
        this.auditChannelPort = auditChannelPort;
    }

    public void open(Context ctx) {
        Caller caller = Caller.of(ctx).require(Role.ENGINEER);
        SessionOpen body = json.read(ctx, SessionOpen.class);
        String env = Input.environmentName("environment", body.environment());
        String sessionId = Input.text("sessionId", body.sessionId(), 100);
        if (!SESSION_ID.matcher(sessionId).matches()) throw ApiException.invalid("sessionId", "must be letters, digits, '.', '_' or '-' (a UUID)");
        String clientHost = Input.optionalText("clientHost", body.clientHost(), 255);
        String application = Input.optionalText("applicationName", body.applicationName(), 255);
        Input.optionalText("driverVersion", body.driverVersion(), 100);
        Instant now = clock.instant();
        Grant grant;
        TargetConnection target;
        try {
            grant = lookup.resolve(caller.name(), env, now);
            target = credentials.target(grant);
        } catch (ApiException refusal) {
            // Unknown environments have no audit chain to write to; every other refusal is recorded.
            environments.find(env).ifPresent(e -> auditLog.recordSessionEvent(new SessionEvent(AuditEvent.CONNECT_DENIED, now, env,
                    caller.name(), null, null, databaseOf(e.jdbcUrl()), null, sessionId, clientHost, application,
                    refusal.code() + ": " + refusal.getMessage())));
            throw refusal;
        }
        String dbUser = target.user();
        DriverSession s = new DriverSession(sessionId, grant.request().id(), env, caller.name(), databaseOf(grant.environment().jdbcUrl()),
                dbUser, clientHost, application, now, null);
        boolean inserted = store.inTransaction(c -> sessions.insert(c, s));
        if (!inserted) throw ApiException.conflict("session " + sessionId + " already exists; the driver must use a new session id per connection");
        try {
            auditLog.recordSessionEvent(new SessionEvent(AuditEvent.CONNECT, now, env, caller.name(), grant.request().id(),
                    grant.request().supportTicketId(), s.database(), dbUser, sessionId, clientHost, application, null));
        } catch (RuntimeException e) {
            store.inTransaction(c -> sessions.close(c, sessionId, now));
            throw e;
        }
        ctx.status(201).json(new SessionGrant(sessionId, grant.toWire(), target, auditChannelPort));
    }

    public void close(Context ctx) {
        Caller caller = Caller.of(ctx).require(Role.ENGINEER);
        String sessionId = ctx.pathParam("sessionId");
        Instant now = clock.instant();
        DriverSession s = store.read(c -> sessions.find(c, sessionId)).orElseThrow(() -> ApiException.notFound("no session " + sessionId));
        if (!s.engineer().equals(caller.name())) throw ApiException.forbidden("session " + sessionId + " belongs to another engineer");
        boolean closedNow = store.inTransaction(c -> sessions.close(c, sessionId, now));
        if (closedNow) {
            String ticket = requests.find(s.requestId()).map(AccessRequest::supportTicketId).orElse(null);
            auditLog.recordSessionEvent(new SessionEvent(AuditEvent.DISCONNECT, now, s.environment(), s.engineer(), s.requestId(),
                    ticket, s.database(), s.dbUser(), sessionId, s.clientHost(), s.applicationName(), null));
        }
        ctx.status(204);
    }

    /** The database part of a JDBC URL without its parameters (which may carry credentials). */
    static String databaseOf(String jdbcUrl) {
        int cut = jdbcUrl.length();
        for (char ch : new char[] {'?', ';'}) {
            int i = jdbcUrl.indexOf(ch);
            if (i >= 0) cut = Math.min(cut, i);
        }
        return jdbcUrl.substring(0, cut);
    }
}

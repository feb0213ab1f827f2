package dev.lockbox.api.audit;

import java.time.Instant;
import java.util.List;

/**
 * One stored audit event with every column of DESIGN.md ("Audit events"), as served by
 * {@code GET /api/audit/events} and written to the lake.
 *
 * <p>{@code sequence}, {@code prevHash} and {@code hash} are assigned by the server's store when the
 * event is <em>sealed</em>: at once for events whose outcome is known when they arrive (DENIED,
 * CONNECT, CONNECT_DENIED, DISCONNECT), when the outcome of an ALLOWED statement arrives, or by
 * the scheduler when no outcome arrived in time (then {@code succeeded} stays null). Only sealed
 * events are served to auditors and exported, so the chain covers the outcome columns too.
 * See {@link AuditHashChain} for the canonical form.
 *
 * <p>{@code eventTime} has microsecond precision; {@code parameters} is a JSON array of the bound
 * values (null when none, or when the environment turned parameter recording off).
 */
public record AuditEvent(
        long sequence,
        String eventId,
        Instant eventTime,
        String environment,
        String database,
        String requestId,
        String supportTicketId,
        String engineer,
        String dbUser,
        String sessionId,
        String clientHost,
        String applicationName,
        String action,
        String actionClass,
        List<String> objects,
        String statement,
        String parameters,
        String decision,
        String denyReason,
        Boolean succeeded,
        Long rowsAffected,
        String error,
        Double durationMs,
        String prevHash,
        String hash) {

    /** Session events that are not statements. */
    public static final String CONNECT = "CONNECT";
    public static final String CONNECT_DENIED = "CONNECT_DENIED";
    public static final String DISCONNECT = "DISCONNECT";

    /** This event with its chain fields set. */
    public AuditEvent sealed(long sequence, String prevHash, String hash) {
        return new AuditEvent(sequence, eventId, eventTime, environment, database, requestId,
                supportTicketId, engineer, dbUser, sessionId, clientHost, applicationName, action,
                actionClass, objects, statement, parameters, decision, denyReason, succeeded,
                rowsAffected, error, durationMs, prevHash, hash);
    }
}

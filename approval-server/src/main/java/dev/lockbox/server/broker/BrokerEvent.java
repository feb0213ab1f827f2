package dev.lockbox.server.broker;

import dev.lockbox.api.request.RequestHistoryEntry;
import java.time.Instant;
import java.util.Locale;

/**
 * Something the broker did to a grant's database user, for the request's history.
 *
 * @param requestId null for a leftover user found on a target that no known request owns
 * @param detail    one sentence for people, e.g. "user lockbox_g_… created with SELECT on schema PUBLIC"
 */
public record BrokerEvent(Instant at, String requestId, String environment, Kind kind, String dbUser, String detail) {
    /** The actor name request histories use for the broker. */
    public static final String ACTOR = "broker";

    public enum Kind {
        USER_CREATED, SESSIONS_ENDED, USER_DROPPED, REVOKE_FAILED, REVOKE_RETRIED;

        /** The history action, in the request history's snake_case vocabulary ("access_ended", …). */
        public String action() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** As a request history entry: the broker changes no request status. */
    public RequestHistoryEntry toHistoryEntry() {
        return new RequestHistoryEntry(at, ACTOR, kind.action(), null, null, detail);
    }
}

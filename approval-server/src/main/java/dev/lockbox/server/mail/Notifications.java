package dev.lockbox.server.mail;

import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.server.user.Account;
import dev.lockbox.server.user.UserStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;

/**
 * The mails of the lockbox workflow (issue 2): a new pending request goes to the environment's
 * approvers; a decision, an expiry or a revocation goes to the requester. Every mail states the
 * request id, ticket, environment, requester, justification, level, period and expiry.
 * Users without an e-mail address are skipped.
 */
public final class Notifications {
    private final Outbox outbox;
    private final UserStore users;

    public Notifications(Outbox outbox, UserStore users) {
        this.outbox = outbox;
        this.users = users;
    }

    public void pending(Connection c, AccessRequest r, Collection<String> approvers, Instant now) throws SQLException {
        String subject = "[Lockbox] Action needed: " + r.requester() + " requests " + r.accessLevel() + " access to " + r.environment();
        String intro = r.requester() + " asks for access to " + r.environment() + ". You are a designated approver of "
                + r.environment() + ": approve or deny it before " + r.requestExpiresAt() + ", after which it expires.";
        for (String approver : approvers) {
            if (!approver.equals(r.requester())) send(c, approver, subject, intro, r, null, now);
        }
    }

    public void decided(Connection c, AccessRequest r, String actor, String comment, Instant now) throws SQLException {
        String what = switch (r.status()) {
            case APPROVED -> "was approved by " + actor + "; access is open until " + r.accessExpiresAt();
            case DENIED -> "was denied by " + actor;
            case EXPIRED -> "expired at " + r.requestExpiresAt() + " without a decision; file a new request if you still need access";
            case REVOKED -> "was revoked by " + actor + "; your access has ended";
            default -> "is now " + r.status();
        };
        String subject = "[Lockbox] " + r.status().consoleLabel() + ": your access request for " + r.environment();
        send(c, r.requester(), subject, "Your access request " + r.id() + " " + what + ".", r, comment, now);
    }

    private void send(Connection c, String user, String subject, String intro, AccessRequest r, String comment, Instant now) throws SQLException {
        Optional<Account> account = users.find(c, user);
        if (account.isEmpty() || account.get().email() == null || account.get().disabled()) return;
        outbox.enqueue(c, account.get().email(), subject, body(intro, r, comment), now);
    }

    static String body(String intro, AccessRequest r, String comment) {
        StringBuilder b = new StringBuilder(intro).append("\n\n");
        line(b, "Request", r.id());
        line(b, "Support ticket", r.supportTicketId());
        line(b, "Environment", r.environment());
        line(b, "Requester", r.requester());
        line(b, "Justification", r.justification());
        line(b, "Access level", r.accessLevel().name());
        line(b, "Access period", r.accessPeriod().toString());
        line(b, "Scope", r.scope() == null || r.scope().isEmpty() ? "whole database" : String.join(", ", r.scope()));
        line(b, "Status", r.status().consoleLabel());
        line(b, "Request expires", r.requestExpiresAt().toString());
        if (r.accessExpiresAt() != null) line(b, "Access until", r.accessExpiresAt().toString());
        if (comment != null) line(b, "Comment", comment);
        return b.toString();
    }

    private static void line(StringBuilder b, String label, String value) {
        b.append(String.format("%-16s %s%n", label + ":", value));
    }
}

package dev.lockbox.server.mail;

import dev.lockbox.server.store.Store;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The mail_outbox table. Mails are enqueued in the same transaction as the state change they
 * report, so a committed decision always has its mail and an SMTP outage never blocks the API.
 */
public final class Outbox {
    private final Store store;
    private volatile Runnable onEnqueue = () -> {};

    public Outbox(Store store) {
        this.store = store;
    }

    /** {@code wakeUp} runs after enqueueing so the sender does not wait for its next poll. */
    void onEnqueue(Runnable wakeUp) {
        this.onEnqueue = wakeUp;
    }

    public void enqueue(Connection c, String recipient, String subject, String body, Instant createdAt) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO mail_outbox (recipient, subject, body, created_at, attempts, next_attempt_at) VALUES (?,?,?,?,0,0)")) {
            ps.setString(1, recipient);
            ps.setString(2, subject);
            ps.setString(3, body);
            ps.setObject(4, Store.toDb(createdAt));
            ps.executeUpdate();
        }
        onEnqueue.run();
    }

    List<OutboxMail> due(long nowMillis, int limit) {
        return store.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, recipient, subject, body, attempts, next_attempt_at FROM mail_outbox "
                    + "WHERE sent_at IS NULL AND next_attempt_at <= ? ORDER BY id FETCH FIRST " + limit + " ROWS ONLY")) {
                ps.setLong(1, nowMillis);
                try (ResultSet rs = ps.executeQuery()) {
                    List<OutboxMail> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(new OutboxMail(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5), rs.getLong(6)));
                    }
                    return out;
                }
            }
        });
    }

    /**
     * Takes {@code m} for delivery until {@code leaseUntilMillis}: a compare-and-set on
     * next_attempt_at, so when several senders (replicas sharing the store) saw the same due mail
     * exactly one of them gets true and sends it. The lease is not a held lock: no transaction stays
     * open during SMTP, and if the winner dies before marking the mail, another sender takes it when
     * the lease runs out (a crash mid-send can deliver twice; nothing else can).
     */
    boolean claim(OutboxMail m, long leaseUntilMillis) {
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE mail_outbox SET next_attempt_at = ? WHERE id = ? AND sent_at IS NULL AND next_attempt_at = ?")) {
                ps.setLong(1, leaseUntilMillis);
                ps.setLong(2, m.id());
                ps.setLong(3, m.nextAttemptAt());
                return ps.executeUpdate() == 1;
            }
        });
    }

    void markSent(long id, Instant at) {
        store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE mail_outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?")) {
                ps.setObject(1, Store.toDb(at));
                ps.setLong(2, id);
                return ps.executeUpdate();
            }
        });
    }

    void markFailed(long id, long nextAttemptMillis, String error) {
        store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?")) {
                ps.setLong(1, nextAttemptMillis);
                ps.setString(2, error.length() > 1000 ? error.substring(0, 1000) : error);
                ps.setLong(3, id);
                return ps.executeUpdate();
            }
        });
    }

    /** Mails not yet delivered (for tests and operators). */
    public int pending() {
        return store.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    record OutboxMail(long id, String recipient, String subject, String body, int attempts, long nextAttemptAt) {}
}

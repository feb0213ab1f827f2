package dev.lockbox.server.export;

import dev.lockbox.server.store.Store;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;

/**
 * The right to write the lake, held by one server replica at a time: the single
 * {@code export_lease} row names its holder and until when. It is taken and renewed by one
 * conditional UPDATE, whose row lock makes concurrent replicas see each other's write, so of two
 * replicas racing for a free lease exactly one gets it. A holder that dies stops renewing and the
 * lease passes on once it expires; a holder that stops cleanly releases it at once.
 */
public final class ExportLease {
    private final Store store;

    public ExportLease(Store store) {
        this.store = store;
    }

    /** Takes or renews the lease for {@code holder} until {@code now + ttl}; false if another holds it. */
    public boolean acquire(String holder, Instant now, Duration ttl) {
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE export_lease SET holder = ?, expires_at = ? "
                    + "WHERE id = 1 AND (holder IS NULL OR holder = ? OR expires_at < ?)")) {
                ps.setString(1, holder);
                ps.setObject(2, Store.toDb(now.plus(ttl)));
                ps.setString(3, holder);
                ps.setObject(4, Store.toDb(now));
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Gives the lease up if {@code holder} has it. */
    public void release(String holder) {
        store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE export_lease SET holder = NULL, expires_at = NULL WHERE id = 1 AND holder = ?")) {
                ps.setString(1, holder);
                return ps.executeUpdate();
            }
        });
    }
}

package dev.lockbox.server.audit;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * How the audit log's transactions lock the rows they are about to change (chain heads, events
 * whose outcome arrives). Both ways hold the lock until the transaction ends and then read the row
 * as the last writer committed it; they differ in what the database keeps parsed.
 */
enum RowLocking {
    /**
     * {@code SELECT ... FOR UPDATE}: PostgreSQL's way. It keeps such a statement prepared like any
     * other, and a dummy update would cost it a row version (and WAL) per locked row.
     */
    SELECT_FOR_UPDATE,
    /**
     * A no-op {@code UPDATE} of the rows, then a plain {@code SELECT}: H2's way. H2 never keeps a
     * {@code SELECT ... FOR UPDATE} in its per-connection statement cache ({@code Select.isCacheable}
     * is false for it) and parses it again on every execution, ~50 µs for the event columns, more
     * than the rest of the read; an {@code UPDATE} and a plain {@code SELECT} are parsed once per
     * connection. The rows an audit transaction locks are the ones it then rewrites (a chain head,
     * an event it seals), so the extra update adds no page to H2's commit; but it costs more per row
     * than the parse per statement, so it is used for a few rows only
     * ({@link AuditEventRows#UPDATE_FIRST_MAX_IDS}).
     */
    UPDATE_FIRST;

    /** The way for the database {@code c} is connected to. */
    static RowLocking of(Connection c) throws SQLException {
        return "H2".equals(c.getMetaData().getDatabaseProductName()) ? UPDATE_FIRST : SELECT_FOR_UPDATE;
    }
}

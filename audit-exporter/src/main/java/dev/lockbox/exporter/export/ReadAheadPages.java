package dev.lockbox.exporter.export;

import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.audit.AuditEventPage;
import dev.lockbox.exporter.feed.AuditEventSource;
import dev.lockbox.exporter.lake.LakeRow;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The pages of one environment from a sequence on, each one asked of the source on a helper thread
 * while the caller writes the previous one, so reading (a store query or an HTTP call) and writing
 * Parquet overlap. The helper thread also turns the page's events into Parquet rows
 * ({@link LakeRow}), which leaves the writing thread only the checks and the Parquet encoding. At
 * most one page is fetched ahead; it is dropped on {@link #close()}. The caller still checks every
 * row's sequence and link, so a page fetched ahead is trusted no more than one fetched on demand.
 * Not thread-safe.
 */
final class ReadAheadPages implements AutoCloseable {
    private final AuditEventSource source;
    private final String environment;
    private final int pageSize;
    private final ExecutorService reader;
    private CompletableFuture<Page> next;

    /** A page of the source, its events already made rows; empty once the source has nothing more now. */
    record Page(List<LakeRow> rows, long nextAfterSequence) {}

    ReadAheadPages(AuditEventSource source, String environment, long afterSequence, int pageSize) {
        this.source = source;
        this.environment = environment;
        this.pageSize = pageSize;
        this.reader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "audit-export-read-ahead-" + environment);
            t.setDaemon(true);
            return t;
        });
        this.next = fetch(afterSequence);
    }

    /** The next page, empty once the source has nothing more now; the one after it is asked for at once. */
    Page next() {
        Page page;
        try {
            page = next.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
        next = page.rows().isEmpty() ? null : fetch(page.nextAfterSequence());
        return page;
    }

    private CompletableFuture<Page> fetch(long afterSequence) {
        return CompletableFuture.supplyAsync(() -> rows(source.page(environment, afterSequence, pageSize)), reader);
    }

    private static Page rows(AuditEventPage page) {
        List<LakeRow> rows = new ArrayList<>(page.events().size());
        for (AuditEvent e : page.events()) rows.add(LakeRow.of(e));
        return new Page(rows, page.nextAfterSequence());
    }

    @Override
    public void close() {
        reader.shutdown(); // a page being fetched finishes on its own and is dropped
    }
}

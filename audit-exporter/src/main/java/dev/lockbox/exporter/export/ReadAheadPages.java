package dev.lockbox.exporter.export;

import dev.lockbox.api.audit.AuditEventPage;
import dev.lockbox.exporter.feed.AuditEventSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The pages of one environment from a sequence on, each one asked of the source on a helper thread
 * while the caller writes the previous one, so reading (a store query or an HTTP call) and writing
 * Parquet overlap. At most one page is fetched ahead; it is dropped on {@link #close()}. The caller
 * still checks every row's sequence and link, so a page fetched ahead is trusted no more than one
 * fetched on demand. Not thread-safe.
 */
final class ReadAheadPages implements AutoCloseable {
    private final AuditEventSource source;
    private final String environment;
    private final int pageSize;
    private final ExecutorService reader;
    private CompletableFuture<AuditEventPage> next;

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
    AuditEventPage next() {
        AuditEventPage page;
        try {
            page = next.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
        next = page.events().isEmpty() ? null : fetch(page.nextAfterSequence());
        return page;
    }

    private CompletableFuture<AuditEventPage> fetch(long afterSequence) {
        return CompletableFuture.supplyAsync(() -> source.page(environment, afterSequence, pageSize), reader);
    }

    @Override
    public void close() {
        reader.shutdown(); // a page being fetched finishes on its own and is dropped
    }
}

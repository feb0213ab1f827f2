package dev.lockbox.driver.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.LoggerFactory;

/**
 * Counts the {@code POST /api/audit/events} requests (and the batches of its audit channel, method
 * {@code CHANNEL}) the in-process approval server logs to its
 * access log ({@code dev.lockbox.server.access}, one line per request: method (an enum), path, ... as
 * arguments): how many audit POSTs a real server received, for the benchmark's POSTs per
 * statement and the batching tests. {@link #detach()} stops it.
 */
public final class AuditPostCounter extends AppenderBase<ILoggingEvent> {
    private final AtomicLong count = new AtomicLong();

    private AuditPostCounter() {
    }

    /** Starts counting the access log of every approval server in this JVM. */
    public static AuditPostCounter attach() {
        AuditPostCounter counter = new AuditPostCounter();
        Logger access = (Logger) LoggerFactory.getLogger("dev.lockbox.server.access");
        counter.setContext(access.getLoggerContext());
        counter.setName("audit-post-counter");
        counter.start();
        access.addAppender(counter);
        return counter;
    }

    public long count() {
        return count.get();
    }

    /** Stops counting. */
    public void detach() {
        ((Logger) LoggerFactory.getLogger("dev.lockbox.server.access")).detachAppender(this);
        stop();
    }

    @Override
    protected void append(ILoggingEvent event) {
        Object[] args = event.getArgumentArray();
        if (args != null && args.length > 1 && ("POST".equals(String.valueOf(args[0])) || "CHANNEL".equals(String.valueOf(args[0]))) && "/api/audit/events".equals(String.valueOf(args[1]))) {
            count.incrementAndGet();
        }
    }
}

package dev.lockbox.driver.bench;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.LoggerFactory;

/**
 * Counts the {@code POST /api/audit/events} requests the in-process approval server logs to its
 * access log ({@code dev.lockbox.server.access}, one line per request: method (an enum), path, ... as
 * arguments), so the benchmark can report audit POSTs per statement.
 */
final class AuditPostCounter extends AppenderBase<ILoggingEvent> {
    private final AtomicLong count = new AtomicLong();

    private AuditPostCounter() {
    }

    static AuditPostCounter attach() {
        AuditPostCounter counter = new AuditPostCounter();
        Logger access = (Logger) LoggerFactory.getLogger("dev.lockbox.server.access");
        counter.setContext(access.getLoggerContext());
        counter.setName("audit-post-counter");
        counter.start();
        access.addAppender(counter);
        return counter;
    }

    long count() {
        return count.get();
    }

    @Override
    protected void append(ILoggingEvent event) {
        Object[] args = event.getArgumentArray();
        if (args != null && args.length > 1 && "POST".equals(String.valueOf(args[0])) && "/api/audit/events".equals(String.valueOf(args[1]))) {
            count.incrementAndGet();
        }
    }
}

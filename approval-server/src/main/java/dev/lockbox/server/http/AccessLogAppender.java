package dev.lockbox.server.http;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The access log's appender (logback.xml): one line per request, written to stderr by a
 * background thread in batches, every {@link #setIntervalMillis interval} (default 20 ms).
 *
 * <p>logback's {@code AsyncAppender} wakes its writer thread for every line and the console
 * appender then makes one {@code write} call per line; on a 2-core server answering a few thousand
 * requests a second those wake-ups and calls cost more CPU than the requests' own code. Here a
 * request only formats its line and queues it; the writer sleeps for the interval (no request
 * wakes it), then writes everything queued in one call. Every line is kept: when the queue is
 * full the request waits for room, as with {@code AsyncAppender}'s {@code neverBlock=false}; lines
 * keep the order in which they were queued, and {@link #stop()} writes what is left.
 */
public final class AccessLogAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
    private Encoder<ILoggingEvent> encoder;
    private int queueSize = 8192;
    private long intervalMillis = 20;
    private Supplier<OutputStream> target = () -> System.err; // read at each write: follows System.setErr
    private ArrayBlockingQueue<ILoggingEvent> queue;
    private Thread writer;
    private volatile boolean stopping;
    private final List<ILoggingEvent> batch = new ArrayList<>();
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(64 * 1024);

    public void setEncoder(Encoder<ILoggingEvent> encoder) {
        this.encoder = encoder;
    }

    public void setQueueSize(int queueSize) {
        this.queueSize = queueSize;
    }

    public void setIntervalMillis(long intervalMillis) {
        this.intervalMillis = intervalMillis;
    }

    /** Where the lines go instead of stderr (tests). */
    void setTarget(OutputStream out) {
        this.target = () -> out;
    }

    @Override
    public void start() {
        if (encoder == null) {
            addError("no encoder for the access log appender \"" + name + "\"");
            return;
        }
        if (queueSize < 1 || intervalMillis < 1) {
            addError("queueSize and intervalMillis must be positive");
            return;
        }
        queue = new ArrayBlockingQueue<>(queueSize);
        stopping = false;
        writer = new Thread(this::writeLoop, "lockbox-access-log");
        writer.setDaemon(true);
        super.start();
        writer.start();
    }

    @Override
    protected void append(ILoggingEvent event) {
        event.prepareForDeferredProcessing(); // the message and thread name, taken now on the request's thread
        if (queue.offer(event)) return;
        try {
            queue.put(event); // full: wait for the writer rather than lose a line
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            addWarn("interrupted while waiting to queue an access log line; writing it directly");
            synchronized (this) {
                write(List.of(event));
            }
        }
    }

    private void writeLoop() {
        while (!stopping) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(intervalMillis));
            drain();
        }
    }

    /** Writes every queued line now, in one call; the writer thread does this each interval. */
    synchronized void drain() {
        batch.clear();
        queue.drainTo(batch);
        if (!batch.isEmpty()) write(batch);
        batch.clear();
    }

    private void write(List<ILoggingEvent> events) {
        buffer.reset();
        for (ILoggingEvent e : events) buffer.writeBytes(encoder.encode(e));
        OutputStream out = target.get();
        try {
            buffer.writeTo(out);
            out.flush();
        } catch (IOException e) {
            addError("cannot write the access log", e);
        }
    }

    @Override
    public void stop() {
        if (!isStarted()) return;
        super.stop(); // no new lines from here on
        stopping = true;
        LockSupport.unpark(writer);
        try {
            writer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        drain(); // whatever was queued after the writer's last pass
    }
}

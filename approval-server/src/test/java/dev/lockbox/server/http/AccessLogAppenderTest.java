package dev.lockbox.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.status.Status;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The access log's batching appender keeps every line, in order, and the production logback.xml uses it. */
class AccessLogAppenderTest {

    @Test
    void everyLineIsWrittenInOrderEvenWhenTheQueueIsFull() throws Exception {
        LoggerContext context = newContext();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AccessLogAppender appender = appender(context, out, 64, 1); // a queue far smaller than the lines: requests wait for room
        Logger log = logger(context, appender);
        int threads = 4;
        int perThread = 5_000;
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int me = t;
            Thread thread = new Thread(() -> {
                for (int i = 0; i < perThread; i++) log.info("t{} line {}", me, i);
            });
            thread.start();
            running.add(thread);
        }
        for (Thread t : running) t.join();
        appender.stop();

        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(threads * perThread);
        for (int t = 0; t < threads; t++) {
            String prefix = "t" + t + " ";
            assertThat(lines.stream().filter(l -> l.startsWith(prefix)).toList())
                    .as("thread %d's lines, in the order it logged them", t)
                    .containsExactlyElementsOf(IntStream.range(0, perThread).mapToObj(i -> prefix + "line " + i).toList());
        }
        assertThat(errors(context)).isEmpty();
    }

    @Test
    void queuedLinesWaitForTheWriterAndStopWritesThem() {
        LoggerContext context = newContext();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AccessLogAppender appender = appender(context, out, 100, 3_600_000); // the writer sleeps for an hour
        Logger log = logger(context, appender);

        log.info("first");
        log.info("second");
        assertThat(out.size()).as("a request only queues its line; nothing written on its thread").isZero();
        appender.drain();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("first\nsecond\n");

        log.info("third");
        appender.stop(); // what the server's shutdown does: the last lines are not lost
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("first\nsecond\nthird\n");
        log.info("after stop");
        appender.drain();
        assertThat(out.toString(StandardCharsets.UTF_8)).endsWith("third\n");
    }

    @Test
    void theProductionLogConfigurationWritesTheAccessLogThroughIt() throws Exception {
        LoggerContext context = newContext();
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(context);
        joran.doConfigure(AccessLogAppenderTest.class.getResource("/logback.xml"));

        Logger access = context.getLogger("dev.lockbox.server.access");
        List<Appender<?>> appenders = new ArrayList<>();
        access.iteratorForAppenders().forEachRemaining(appenders::add);
        assertThat(appenders).singleElement().isInstanceOf(AccessLogAppender.class)
                .satisfies(a -> assertThat(a.isStarted()).isTrue());
        assertThat(access.isAdditive()).isFalse();
        assertThat(errors(context)).isEmpty();
        context.stop();
    }

    /** A context of its own, with the MDC adapter SLF4J's initialisation gives the real one. */
    private static LoggerContext newContext() {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        return context;
    }

    @Test
    void aMisconfiguredAppenderRefusesToStartAndSaysWhy() {
        LoggerContext context = newContext();
        AccessLogAppender noEncoder = new AccessLogAppender();
        noEncoder.setContext(context);
        noEncoder.setName("no-encoder");
        noEncoder.start();
        assertThat(noEncoder.isStarted()).isFalse();
        assertThat(errors(context)).anySatisfy(s -> assertThat(s.getMessage()).contains("no encoder"));

        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.start();
        for (int[] bad : new int[][] {{0, 20}, {8, 0}}) {
            AccessLogAppender a = new AccessLogAppender();
            a.setContext(context);
            a.setName("bad-" + bad[0] + "-" + bad[1]);
            a.setEncoder(encoder);
            a.setQueueSize(bad[0]);
            a.setIntervalMillis(bad[1]);
            a.start();
            assertThat(a.isStarted()).isFalse();
        }
        assertThat(errors(context)).anySatisfy(s -> assertThat(s.getMessage()).contains("must be positive"));
        noEncoder.stop(); // stopping one that never started is harmless
        context.stop();
    }

    private static AccessLogAppender appender(LoggerContext context, ByteArrayOutputStream out, int queueSize, long intervalMillis) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.start();
        AccessLogAppender appender = new AccessLogAppender();
        appender.setContext(context);
        appender.setName("test");
        appender.setEncoder(encoder);
        appender.setQueueSize(queueSize);
        appender.setIntervalMillis(intervalMillis);
        appender.setTarget(out);
        appender.start();
        assertThat(appender.isStarted()).isTrue();
        return appender;
    }

    private static Logger logger(LoggerContext context, AccessLogAppender appender) {
        Logger log = context.getLogger("access-test");
        log.setLevel(Level.INFO);
        log.setAdditive(false);
        log.addAppender(appender);
        return log;
    }

    private static List<Status> errors(LoggerContext context) {
        return context.getStatusManager().getCopyOfStatusList().stream().filter(s -> s.getLevel() >= Status.ERROR).toList();
    }
}

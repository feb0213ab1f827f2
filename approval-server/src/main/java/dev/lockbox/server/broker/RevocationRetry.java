package dev.lockbox.server.broker;

import dev.lockbox.server.broker.BrokerEvent.Kind;
import dev.lockbox.server.broker.IssuedCredential.State;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tries a failed revocation again soon instead of only at the next reconciliation: after
 * {@link Backoff#first()}, then twice as long after each failure, never longer apart than
 * {@link Backoff#cap()} (docs/credential-broker.md, Revocation). Until the user is dropped its
 * record stays {@code ISSUED}: it counts as live for reconciliation (which may drop it first; the
 * retry then stops quietly) and for {@link #pending()}. Each failed retry is logged (WARN) and
 * kept out of the history, which has the first failure ({@code revoke_failed}) and, when a retry
 * drops the user, {@code revoke_retried} after its {@code user_dropped}. Delays are real time.
 *
 * <p>Retries live in this process only: should it stop first, the record is still {@code ISSUED}
 * and the next reconciliation (at start, on any replica) drops the user.
 */
public final class RevocationRetry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RevocationRetry.class);

    /** Delay before retry {@code n} (1-based): {@code first × 2^(n-1)}, at most {@code cap}. */
    public record Backoff(Duration first, Duration cap) {
        public Backoff {
            if (first.isNegative() || first.isZero() || cap.compareTo(first) < 0) {
                throw new IllegalArgumentException("back-off needs 0 < first <= cap: " + first + ", " + cap);
            }
        }

        public Duration beforeRetry(int retry) {
            if (retry < 1) throw new IllegalArgumentException("retries count from 1: " + retry);
            Duration d = first;
            for (int i = 1; i < retry && d.compareTo(cap) < 0; i++) d = d.multipliedBy(2);
            return d.compareTo(cap) > 0 ? cap : d;
        }
    }

    private final CredentialBroker broker;
    private final Function<String, Optional<IssuedCredential>> records;
    private final Consumer<BrokerEvent> events;
    private final Clock clock;
    private final Backoff backoff;
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lockbox-broker-revoke-retry");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;

    RevocationRetry(CredentialBroker broker, Function<String, Optional<IssuedCredential>> records, Consumer<BrokerEvent> events,
                    Clock clock, Backoff backoff) {
        this.broker = broker;
        this.records = records;
        this.events = events;
        this.clock = clock;
        this.backoff = Objects.requireNonNull(backoff, "backoff");
    }

    /**
     * After {@link CredentialBroker#revoke} failed for {@code requestId}: retries it with back-off
     * until the user is dropped (by a retry or by anything else). A request already being retried
     * is left to its running schedule.
     */
    public void retry(String requestId) {
        Objects.requireNonNull(requestId, "requestId");
        if (closed || !pending.add(requestId)) return;
        schedule(requestId, 1, System.nanoTime());
    }

    /** Requests whose user could not be dropped yet and is being retried here. */
    public Set<String> pending() {
        return Set.copyOf(pending);
    }

    private void schedule(String requestId, int retry, long firstFailure) {
        Duration delay = backoff.beforeRetry(retry);
        try {
            executor.schedule(() -> attempt(requestId, retry, firstFailure), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            pending.remove(requestId); // closing: reconciliation at the next start takes over
        }
    }

    private void attempt(String requestId, int retry, long firstFailure) {
        if (closed) return;
        Optional<IssuedCredential> record;
        try {
            record = records.apply(requestId);
        } catch (RuntimeException e) {
            next(requestId, retry, firstFailure, "the store could not be read: " + e.getMessage());
            return;
        }
        if (record.isEmpty() || record.get().state() == State.REVOKED) {
            pending.remove(requestId); // dropped meanwhile (reconciliation, another replica)
            return;
        }
        try {
            broker.revoke(requestId, false);
        } catch (RuntimeException e) {
            next(requestId, retry, firstFailure, e.getMessage());
            return;
        }
        pending.remove(requestId);
        IssuedCredential row = record.get();
        long seconds = Duration.ofNanos(System.nanoTime() - firstFailure).toSeconds();
        String detail = "user " + row.dbUser() + " dropped by retry " + retry + " of its revocation, " + seconds
                + " s after the first attempt failed";
        log.info("credential broker: {} (request {})", detail, requestId);
        events.accept(new BrokerEvent(clock.instant().truncatedTo(ChronoUnit.MICROS), requestId, row.environment(),
                Kind.REVOKE_RETRIED, row.dbUser().value(), detail));
    }

    private void next(String requestId, int retry, long firstFailure, String why) {
        Duration delay = backoff.beforeRetry(retry + 1);
        log.warn("credential broker: retry {} of the revocation of request {} failed ({}); next retry in {} s", retry, requestId,
                why, delay.toSeconds());
        schedule(requestId, retry + 1, firstFailure);
    }

    @Override
    public void close() {
        closed = true;
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pending.clear();
    }
}

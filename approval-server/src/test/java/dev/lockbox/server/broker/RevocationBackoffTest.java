package dev.lockbox.server.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockbox.server.grant.GrantCredentials;
import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The server's retry delays after a failed revocation: 1 s, doubling, capped at the reconciliation interval. */
class RevocationBackoffTest {
    @Test
    void doublesFromOneSecondUpToTheReconcileInterval() {
        RevocationRetry.Backoff b = GrantCredentials.REVOKE_BACKOFF;
        assertThat(IntStream.rangeClosed(1, 9).mapToObj(b::beforeRetry).map(Duration::toSeconds).toList())
                .containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L, 60L);
        assertThat(b.beforeRetry(10_000)).isEqualTo(GrantCredentials.RECONCILE_INTERVAL);
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> new RevocationRetry.Backoff(Duration.ZERO, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RevocationRetry.Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GrantCredentials.REVOKE_BACKOFF.beforeRetry(0)).isInstanceOf(IllegalArgumentException.class);
    }
}

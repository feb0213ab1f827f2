package dev.lockbox.server.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockbox.api.request.AccessLevel;
import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.api.request.RequestStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class GrantSpecTest {
    @ParameterizedTest
    @ValueSource(strings = {"orders; DROP TABLE customers", "orders\" TO PUBLIC; --", "\"Orders\"", "a.b.c.d", "", " orders",
            "orders--", "1orders", "sales..orders", "orders/*", "ordérs"})
    void scopeEntryThatIsNotAPlainTableNameIsRefused(String entry) {
        assertThatThrownBy(() -> new GrantSpec("req-1", "shop", AccessLevel.READ_ONLY, List.of("orders", entry), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a table name");
    }

    @Test
    void nullScopeEntryAndEmptyScopeAreRefused() {
        assertThatThrownBy(() -> new GrantSpec("req-1", "shop", AccessLevel.READ_ONLY, Arrays.asList("orders", null), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'null' is not a table name");
        assertThatThrownBy(() -> new GrantSpec("req-1", "shop", AccessLevel.READ_ONLY, List.of(), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pass null for the whole schema");
    }

    @Test
    void qualifiedNamesAreAccepted() {
        GrantSpec g = new GrantSpec("req-1", "shop", AccessLevel.READ_WRITE, List.of("ORDERS", "public.customers", "db.sales.x$1"), null);

        assertThat(g.scope()).containsExactly("ORDERS", "public.customers", "db.sales.x$1");
        assertThat(g.wholeSchema()).isFalse();
    }

    @Test
    void scopeIsCopiedSoLaterChangesOfTheCallersListDoNotWidenIt() {
        List<String> scope = new ArrayList<>(List.of("orders"));
        GrantSpec g = new GrantSpec("req-1", "shop", AccessLevel.READ_ONLY, scope, null);
        scope.add("customers");

        assertThat(g.scope()).containsExactly("orders");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "req 1", "req'1", "-req", "req\"1"})
    void oddRequestIdsAreRefused(String id) {
        assertThatThrownBy(() -> new GrantSpec(id, "shop", AccessLevel.READ_ONLY, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("request id");
    }

    @Test
    void overlongRequestIdIsRefused() {
        assertThatThrownBy(() -> new GrantSpec("x".repeat(101), "shop", AccessLevel.READ_ONLY, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("request id");
    }

    @Test
    void fromAnAccessRequest() {
        Instant start = Instant.parse("2030-01-01T09:00:00Z");
        AccessRequest r = new AccessRequest("9b2f6c1e-4d1a-4c53-9b59-0f6f3f1f9a10", "T-1", "shop", "erin", "debug", AccessLevel.READ_ONLY,
                List.of(), Duration.ofHours(1), start, start.plusSeconds(3600), RequestStatus.APPROVED, "ann", start, start,
                start.plusSeconds(3600), List.of());

        GrantSpec g = GrantSpec.of(r);

        assertThat(g.requestId()).isEqualTo(r.id());
        assertThat(g.environment()).isEqualTo("shop");
        assertThat(g.accessLevel()).isEqualTo(AccessLevel.READ_ONLY);
        assertThat(g.scope()).as("an empty scope is the whole schema").isNull();
        assertThat(g.accessExpiresAt()).isEqualTo(start.plusSeconds(3600));
    }
}

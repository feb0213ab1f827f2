package dev.lockbox.server.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GrantUserNameTest {
    @Test
    void derivedFromTheRequestIdAndStable() {
        GrantUserName a = GrantUserName.forRequest("9b2f6c1e-4d1a-4c53-9b59-0f6f3f1f9a10");

        assertThat(a.value()).matches("lockbox_g_[0-9a-f]{16}");
        assertThat(GrantUserName.forRequest("9b2f6c1e-4d1a-4c53-9b59-0f6f3f1f9a10")).isEqualTo(a);
        assertThat(GrantUserName.forRequest("9b2f6c1e-4d1a-4c53-9b59-0f6f3f1f9a11")).isNotEqualTo(a);
    }

    @Test
    void onlyTheExactShapeIsAccepted() {
        assertThatThrownBy(() -> new GrantUserName("lockbox_g_0123456789abcdef\"; DROP USER sa; --"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GrantUserName("LOCKBOX_G_0123456789ABCDEF")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GrantUserName(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void namesFoundOnTargetsAreRecognisedInAnyCase() {
        assertThat(GrantUserName.parse("LOCKBOX_G_0123456789ABCDEF")).contains(new GrantUserName("lockbox_g_0123456789abcdef"));
        assertThat(GrantUserName.parse("lockbox_g_custom")).isEmpty();
        assertThat(GrantUserName.parse("lockbox_g_0123456789abcdef0")).isEmpty();
    }

    @Test
    void identifiersAreQuotedWithEmbeddedQuotesDoubled() {
        assertThat(SqlIdentifier.quote("a\"b")).isEqualTo("\"a\"\"b\"");
        assertThat(SqlIdentifier.quote("public", "Order Items")).isEqualTo("\"public\".\"Order Items\"");
        assertThatThrownBy(() -> SqlIdentifier.quote("a\0b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SqlIdentifier.quote("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void passwordsAreLongRandomAndNeedNoQuoting() {
        String a = GrantPassword.random();
        String b = GrantPassword.random();

        assertThat(a).hasSize(32).matches("[A-Za-z0-9]{32}").isNotEqualTo(b);
        assertThat(GrantPassword.isSafe(a)).isTrue();
        assertThat(GrantPassword.isSafe("x' OR '1'='1" + "a".repeat(20))).isFalse();
    }
}

package dev.lockbox.driver.classify;

import dev.lockbox.api.request.AccessLevel;
import java.util.List;

/** Decides whether a grant (level and scope) allows a classified statement. (Placeholder: being written.) */
public final class GrantRules {
    private GrantRules() {}

    public static AccessDecision decide(Classification c, AccessLevel level, List<String> scope) {
        throw new UnsupportedOperationException("GrantRules is being written");
    }
}

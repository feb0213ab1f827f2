package dev.lockbox.driver.classify;

/** Whether a grant allows a classified statement; {@code denyReason} is a sentence for the engineer. */
public record AccessDecision(boolean allowed, String denyReason) {
    public static final AccessDecision ALLOW = new AccessDecision(true, null);

    public static AccessDecision deny(String reason) {
        return new AccessDecision(false, reason);
    }
}

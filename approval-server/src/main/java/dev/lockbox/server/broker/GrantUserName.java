package dev.lockbox.server.broker;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The database user of one grant: {@code lockbox_g_} and 16 hex digits of SHA-256(request id).
 * Derived, not random, so a restarted server (or another replica) finds the same user for a
 * grant, and reconciliation can tell the users of active grants from leftovers without a lookup.
 * The fixed shape is also what makes it safe to splice into DDL (always quoted as well).
 */
public record GrantUserName(String value) {
    public static final String PREFIX = "lockbox_g_";
    private static final Pattern SHAPE = Pattern.compile("lockbox_g_[0-9a-f]{16}");

    public GrantUserName {
        if (value == null || !SHAPE.matcher(value).matches()) {
            throw new IllegalArgumentException("not a broker user name: '" + GrantSpec.shorten(String.valueOf(value)) + "'");
        }
    }

    public static GrantUserName forRequest(String requestId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(requestId.getBytes(StandardCharsets.UTF_8));
            return new GrantUserName(PREFIX + HexFormat.of().formatHex(digest, 0, 8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JRE has SHA-256", e);
        }
    }

    /** A name found on a target (any case), if it has exactly the broker's shape. */
    public static java.util.Optional<GrantUserName> parse(String found) {
        String lower = found.toLowerCase(Locale.ROOT);
        return SHAPE.matcher(lower).matches() ? java.util.Optional.of(new GrantUserName(lower)) : java.util.Optional.empty();
    }

    @Override
    public String toString() {
        return value;
    }
}

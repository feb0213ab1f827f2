package dev.lockbox.server.http;

import dev.lockbox.api.admin.Role;
import io.javalin.http.Context;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/** The authenticated user of an HTTP request, set by {@link Authenticator} before any handler runs. */
public record Caller(String name, Set<Role> roles) {
    static final String ATTRIBUTE = "lockbox.caller";

    public static Caller of(Context ctx) {
        Caller c = ctx.attribute(ATTRIBUTE);
        if (c == null) throw new ApiException(401, "unauthenticated", "an API token is required (Authorization: Bearer <token>)");
        return c;
    }

    public boolean has(Role role) {
        return roles.contains(role);
    }

    public boolean hasAny(Role... any) {
        for (Role r : any) if (roles.contains(r)) return true;
        return false;
    }

    /** Throws 403 unless the caller holds one of {@code any}. */
    public Caller require(Role... any) {
        if (!hasAny(any)) {
            throw ApiException.forbidden("this call needs the role " + Arrays.stream(any)
                    .map(r -> r.name().toLowerCase()).collect(Collectors.joining(" or ")) + "; " + name + " does not have it");
        }
        return this;
    }
}

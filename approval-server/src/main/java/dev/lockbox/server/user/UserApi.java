package dev.lockbox.server.user;

import dev.lockbox.api.admin.IssuedToken;
import dev.lockbox.api.admin.NewUser;
import dev.lockbox.api.admin.Role;
import dev.lockbox.server.http.ApiException;
import dev.lockbox.server.http.Caller;
import dev.lockbox.server.http.Input;
import dev.lockbox.server.http.JsonBody;
import dev.lockbox.server.store.Store;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;

/** {@code /api/users}: admins create users, rotate their tokens and disable them. */
public final class UserApi {
    /** Actor names the server itself writes into request histories; no person may take them. */
    public static final Set<String> RESERVED_NAMES = Set.of("policy", "scheduler", "broker", "system");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+");

    private final Store store;
    private final UserStore users;
    private final JsonBody json;
    private final Clock clock;

    public UserApi(Store store, UserStore users, JsonBody json, Clock clock) {
        this.store = store;
        this.users = users;
        this.json = json;
        this.clock = clock;
    }

    public void create(Context ctx) {
        Caller.of(ctx).require(Role.ADMIN);
        NewUser body = json.read(ctx, NewUser.class);
        String name = Input.userName("name", body.name());
        if (RESERVED_NAMES.contains(name)) throw ApiException.invalid("name", "'" + name + "' is reserved for the server");
        if (body.roles() == null || body.roles().isEmpty()) throw ApiException.invalid("roles", "at least one role is required");
        Input.noNulls("roles", body.roles());
        String email = Input.optionalText("email", body.email(), 254);
        if (email != null && !EMAIL.matcher(email).matches()) throw ApiException.invalid("email", "not an e-mail address");
        if (body.password() != null && (body.password().length() < 12 || body.password().length() > 1024)) {
            throw ApiException.invalid("password", "must have 12 to 1024 characters");
        }
        String passwordHash = body.password() == null ? null : PasswordHash.hash(body.password());
        String token = ApiToken.generate();
        Account account = new Account(name, EnumSet.copyOf(body.roles()), email, false, now());
        boolean created = store.inTransaction(c -> users.insert(c, account, ApiToken.hash(token), passwordHash));
        if (!created) throw new ApiException(409, "exists", "user " + name + " already exists");
        ctx.status(201).json(new IssuedToken(account.toWire(), token));
    }

    public void list(Context ctx) {
        Caller.of(ctx).require(Role.ADMIN);
        ctx.json(users.list().stream().map(Account::toWire).toList());
    }

    public void get(Context ctx) {
        Caller.of(ctx).require(Role.ADMIN);
        ctx.json(existing(ctx.pathParam("name")).toWire());
    }

    public void rotateToken(Context ctx) {
        Caller.of(ctx).require(Role.ADMIN);
        Account account = existing(ctx.pathParam("name"));
        if (account.disabled()) throw ApiException.conflict("user " + account.name() + " is disabled; its token cannot be rotated");
        String token = ApiToken.generate();
        store.inTransaction(c -> users.replaceToken(c, account.name(), ApiToken.hash(token), now()));
        users.changed();
        ctx.status(201).json(new IssuedToken(account.toWire(), token));
    }

    public void disable(Context ctx) {
        Caller caller = Caller.of(ctx).require(Role.ADMIN);
        Account account = existing(ctx.pathParam("name"));
        if (account.name().equals(caller.name())) throw ApiException.conflict("an admin cannot disable itself");
        store.inTransaction(c -> users.disable(c, account.name(), now()));
        users.changed();
        ctx.status(204);
    }

    private Account existing(String name) {
        return users.find(name).orElseThrow(() -> ApiException.notFound("no user named " + name));
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}

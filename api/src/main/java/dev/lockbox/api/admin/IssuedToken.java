package dev.lockbox.api.admin;

/**
 * Answer of {@code POST /api/users} (201) and {@code POST /api/users/{name}/tokens}: the API token,
 * shown this once; the server keeps only its SHA-256 hash. Any earlier token of the user stops working.
 */
public record IssuedToken(User user, String token) {
    @Override
    public String toString() {
        return "IssuedToken[user=" + user + ", token=***]";
    }
}

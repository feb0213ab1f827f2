package dev.lockbox.cli.client;

/** Where the approval server is and the caller's API token. The token never appears in {@link #toString()}. */
public record ServerCredentials(ServerAddress server, String token) {
    @Override
    public String toString() {
        return "ServerCredentials[server=" + server + ", token=" + ApiTokens.masked(token) + "]";
    }
}

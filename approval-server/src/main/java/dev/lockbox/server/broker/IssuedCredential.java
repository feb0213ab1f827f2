package dev.lockbox.server.broker;

import dev.lockbox.api.grant.TargetConnection;
import java.time.Instant;

/**
 * A row of {@code broker_credential}: the database user the broker made for one grant. The user
 * logs in with the lower-case name on both targets (H2 folds login names to upper case itself).
 */
record IssuedCredential(String requestId, String environment, GrantUserName dbUser, String jdbcUrl,
                        String password, State state, Instant createdAt, Instant revokedAt) {
    enum State { CREATING, ISSUED, REVOKED }

    TargetConnection toTargetConnection() {
        return new TargetConnection(jdbcUrl, dbUser.value(), password);
    }

    @Override
    public String toString() {
        return "IssuedCredential[requestId=" + requestId + ", environment=" + environment + ", dbUser=" + dbUser
                + ", state=" + state + ", createdAt=" + createdAt + ", revokedAt=" + revokedAt + ", password=***]";
    }
}

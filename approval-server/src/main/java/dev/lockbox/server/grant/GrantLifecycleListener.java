package dev.lockbox.server.grant;

import dev.lockbox.api.request.AccessRequest;

/**
 * Told when a grant's access window opens (approval, or at once by policy) and when it closes
 * (end of the window, revocation). The credential broker plugs in here to create and drop the
 * per-grant database user. Called after the state change is committed; a failure is logged and
 * does not undo the decision.
 */
public interface GrantLifecycleListener {
    GrantLifecycleListener NONE = new GrantLifecycleListener() {
        @Override
        public void grantStarted(AccessRequest grant) {}

        @Override
        public void grantEnded(AccessRequest grant) {}
    };

    /** Tells {@code first}, then {@code second}; a failure of {@code first} does not keep {@code second} from hearing. */
    static GrantLifecycleListener both(GrantLifecycleListener first, GrantLifecycleListener second) {
        return new GrantLifecycleListener() {
            @Override
            public void grantStarted(AccessRequest grant) {
                try {
                    first.grantStarted(grant);
                } finally {
                    second.grantStarted(grant);
                }
            }

            @Override
            public void grantEnded(AccessRequest grant) {
                try {
                    first.grantEnded(grant);
                } finally {
                    second.grantEnded(grant);
                }
            }
        };
    }

    void grantStarted(AccessRequest grant);

    /** {@code grant.status()} is REVOKED for a revocation, APPROVED when its window ran out. */
    void grantEnded(AccessRequest grant);
}

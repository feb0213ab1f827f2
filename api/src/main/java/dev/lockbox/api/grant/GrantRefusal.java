package dev.lockbox.api.grant;

/**
 * Machine-readable reasons why there is no active grant; used as the {@code error} code of the
 * {@link dev.lockbox.api.ApiError} that {@code /api/grants/active} and {@code POST /api/sessions}
 * return (404, or 403 for an unknown or forbidden environment). The message says why and what to do.
 */
public enum GrantRefusal {
    NO_REQUEST("no_request"),
    REQUEST_PENDING("request_pending"),
    REQUEST_DENIED("request_denied"),
    REQUEST_EXPIRED("request_expired"),
    REQUEST_CANCELLED("request_cancelled"),
    ACCESS_REVOKED("access_revoked"),
    ACCESS_EXPIRED("access_expired");

    private final String code;

    GrantRefusal(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}

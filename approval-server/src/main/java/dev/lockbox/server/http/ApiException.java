package dev.lockbox.server.http;

import dev.lockbox.api.ApiError;

/**
 * A refusal with an HTTP status, a stable error code and a sentence for a person. The server's one
 * error mapper (and {@code AuditPostHandler}, which answers in front of it) sends its
 * {@link #error()}. Thrown by every feature for bad input (400), missing authentication (401),
 * missing rights (403), unknown things (404) and wrong state (409).
 */
public class ApiException extends RuntimeException {
    private final int status;
    private final String code;

    public ApiException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** What the caller is sent with {@link #status()}. */
    public ApiError error() {
        return new ApiError(code, getMessage());
    }

    /** 400: {@code field} names the offending input field in the message. */
    public static ApiException invalid(String field, String message) {
        return new ApiException(400, "invalid", field + ": " + message);
    }

    public static ApiException forbidden(String message) {
        return new ApiException(403, "forbidden", message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, "not_found", message);
    }

    public static ApiException conflict(String message) {
        return new ApiException(409, "wrong_state", message);
    }
}

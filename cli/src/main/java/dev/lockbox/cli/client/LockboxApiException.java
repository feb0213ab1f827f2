package dev.lockbox.cli.client;

import dev.lockbox.api.ApiError;

/** The server answered with an {@link ApiError}; the CLI prints its message and exits {@link ExitCode#REFUSED}. */
public final class LockboxApiException extends CliException {
    private final int httpStatus;
    private final ApiError error;

    public LockboxApiException(int httpStatus, ApiError error) {
        super(ExitCode.REFUSED, error.message());
        this.httpStatus = httpStatus;
        this.error = error;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public ApiError error() {
        return error;
    }
}

package dev.lockbox.cli.client;

/** Exit codes of every {@code ./lockbox} command, listed in {@code ./lockbox --help}. */
public final class ExitCode {
    public static final int OK = 0;
    /** The server refused (4xx/5xx with an {@code ApiError}), or a step of the demo failed. */
    public static final int REFUSED = 1;
    /** Bad command line (picocli's own code for usage errors). */
    public static final int USAGE = 2;
    /** No server address or token configured, or the config file is unreadable. */
    public static final int CONFIG = 3;
    /** The server cannot be reached, or answered something that is not the Lockbox API. */
    public static final int UNREACHABLE = 4;

    private ExitCode() {}
}

package dev.lockbox.api.request;

/** Lifecycle of an access request, as in DESIGN.md. Only {@link #PENDING} and {@link #APPROVED} are not final. */
public enum RequestStatus {
    PENDING("Action needed"),
    APPROVED("Approved"),
    DENIED("Denied"),
    EXPIRED("Expired"),
    REVOKED("Revoked"),
    CANCELLED("Cancelled");

    private final String consoleLabel;

    RequestStatus(String consoleLabel) {
        this.consoleLabel = consoleLabel;
    }

    /** The label the admin console shows for this status. */
    public String consoleLabel() {
        return consoleLabel;
    }

    public boolean isFinal() {
        return this != PENDING && this != APPROVED;
    }
}

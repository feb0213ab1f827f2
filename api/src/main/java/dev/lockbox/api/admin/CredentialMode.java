package dev.lockbox.api.admin;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How the server obtains the database credentials it hands to the driver for an environment
 * (DESIGN.md, "Credential broker"); lowercase on the wire.
 */
public enum CredentialMode {
    /** One shared database user configured on the environment ({@code targetUser}/{@code targetPassword}); kept for compatibility. */
    @JsonProperty("static") STATIC,
    /** A database user per grant, created by the credential broker with the environment's admin user. */
    @JsonProperty("broker") BROKER
}

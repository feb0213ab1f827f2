package dev.lockbox.api.admin;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The roles of DESIGN.md ("Roles and identity"); lowercase on the wire. A user may hold several. */
public enum Role {
    @JsonProperty("admin") ADMIN,
    @JsonProperty("approver") APPROVER,
    @JsonProperty("engineer") ENGINEER,
    @JsonProperty("auditor") AUDITOR
}

package dev.lockbox.api.admin;

/** Which environments the lockbox policy protects (DESIGN.md, "Environments and policy"). */
public enum PolicyMode {
    ALL,
    SELECTED,
    NONE
}

package dev.lockbox.api;

/**
 * Body of every non-2xx answer of the approval server: a stable machine-readable {@code error}
 * code and a sentence for a person.
 */
public record ApiError(String error, String message) {}

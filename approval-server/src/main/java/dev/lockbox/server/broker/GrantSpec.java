package dev.lockbox.server.broker;

import dev.lockbox.api.request.AccessLevel;
import dev.lockbox.api.request.AccessRequest;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What the broker needs to know about a grant to issue its database user.
 *
 * @param requestId       the access request's id; the database user's name is derived from it
 * @param environment     the environment whose target database gets the user
 * @param accessLevel     READ_ONLY: SELECT only; READ_WRITE: SELECT, INSERT, UPDATE, DELETE
 * @param scope           table names ({@code TABLE}, {@code SCHEMA.TABLE} or {@code CATALOG.SCHEMA.TABLE},
 *                        unquoted, case-insensitive), or null for the whole schema
 * @param accessExpiresAt end of the access window; PostgreSQL users get it as {@code VALID UNTIL}
 *                        (a second line of defence should a revocation fail); null = no such limit
 */
public record GrantSpec(String requestId, String environment, AccessLevel accessLevel, List<String> scope,
                        Instant accessExpiresAt) {
    /** The same shape the request API accepts (RequestWorkflow): plain unquoted identifiers only. */
    static final Pattern SCOPE_ENTRY = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*(\\.[A-Za-z_][A-Za-z0-9_$]*){0,2}");
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,99}");

    public GrantSpec {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(accessLevel, "accessLevel");
        if (!REQUEST_ID.matcher(requestId).matches()) {
            throw new IllegalArgumentException("request id must be 1..100 letters, digits or ._:- : '" + shorten(requestId) + "'");
        }
        if (scope != null) {
            if (scope.isEmpty()) {
                // An empty list would silently mean "whole schema" elsewhere; make the caller say null.
                throw new IllegalArgumentException("scope is empty: pass null for the whole schema");
            }
            for (String entry : scope) {
                if (entry == null || entry.length() > 200 || !SCOPE_ENTRY.matcher(entry).matches()) {
                    // Refused rather than quoted: the driver matches scope entries as unquoted names,
                    // and anything else here is either a typo or an attempt to smuggle SQL.
                    throw new IllegalArgumentException("scope entry '" + shorten(String.valueOf(entry))
                            + "' is not a table name (letters, digits, _ and $, optionally schema-qualified)");
                }
            }
            scope = List.copyOf(scope);
        }
    }

    /** The grant of an approved access request. */
    public static GrantSpec of(AccessRequest request) {
        List<String> scope = request.scope() == null || request.scope().isEmpty() ? null : request.scope();
        return new GrantSpec(request.id(), request.environment(), request.accessLevel(), scope, request.accessExpiresAt());
    }

    public boolean wholeSchema() {
        return scope == null;
    }

    static String shorten(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}

package dev.lockbox.server.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.lockbox.api.audit.AuditBatch;
import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.audit.AuditEventSubmission;
import dev.lockbox.api.audit.AuditOutcome;
import dev.lockbox.api.audit.Decision;
import dev.lockbox.server.http.ApiException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a driver may send in an {@link AuditBatch}, checked before anything touches the store. Every
 * violation is a 400 that names the field ({@code events[3].statement}); the limits are documented in
 * docs/audit-log.md and sized so one batch can never exhaust the server or a column.
 */
final class AuditBatchRules {
    static final int MAX_EVENTS = 1_000;
    static final int MAX_OUTCOMES = 1_000;
    /** Statement and parameters text, in UTF-8 bytes (fits the VARCHAR(1048576) columns). */
    static final int MAX_TEXT_BYTES = 1 << 20;
    static final int MAX_OBJECTS = 1_000;
    static final int MAX_OBJECT_NAME = 512;
    static final int MAX_ACTION = 64;
    static final int MAX_SHORT_TEXT = 1_000;
    static final int MAX_DENY_REASON = 4_000;
    static final int MAX_ERROR = 65_536;

    private static final Pattern ACTION = Pattern.compile("[A-Z][A-Z0-9_ ]*");
    private static final Set<String> SESSION_ACTIONS =
            Set.of(AuditEvent.CONNECT, AuditEvent.CONNECT_DENIED, AuditEvent.DISCONNECT);

    private final JsonFactory json = new JsonFactory();

    void check(AuditBatch batch) {
        if (batch == null) throw ApiException.invalid("body", "an audit batch is required");
        if (batch.environment() == null || batch.environment().isBlank()) {
            throw ApiException.invalid("environment", "is required");
        }
        List<AuditEventSubmission> events = batch.events() == null ? List.of() : batch.events();
        List<AuditOutcome> outcomes = batch.outcomes() == null ? List.of() : batch.outcomes();
        if (events.size() > MAX_EVENTS) throw ApiException.invalid("events", "at most " + MAX_EVENTS + " per batch");
        if (outcomes.size() > MAX_OUTCOMES) {
            throw ApiException.invalid("outcomes", "at most " + MAX_OUTCOMES + " per batch");
        }
        for (int i = 0; i < events.size(); i++) checkEvent("events[" + i + "]", events.get(i));
        for (int i = 0; i < outcomes.size(); i++) checkOutcome("outcomes[" + i + "]", outcomes.get(i));
    }

    /** The one spelling of an event id the store keeps (drivers send {@code UUID.toString()}, lowercase). */
    static String eventKey(String eventId) {
        return eventId.toLowerCase(Locale.ROOT);
    }

    private void checkEvent(String at, AuditEventSubmission e) {
        if (e == null) throw ApiException.invalid(at, "is null");
        uuid(at + ".eventId", e.eventId());
        if (e.eventTime() == null) throw ApiException.invalid(at + ".eventTime", "is required");
        required(at + ".requestId", e.requestId(), 100);
        optional(at + ".database", e.database(), MAX_SHORT_TEXT);
        optional(at + ".dbUser", e.dbUser(), MAX_SHORT_TEXT);
        optional(at + ".sessionId", e.sessionId(), MAX_SHORT_TEXT);
        optional(at + ".clientHost", e.clientHost(), MAX_SHORT_TEXT);
        optional(at + ".applicationName", e.applicationName(), MAX_SHORT_TEXT);
        required(at + ".action", e.action(), MAX_ACTION);
        if (!ACTION.matcher(e.action()).matches()) {
            throw ApiException.invalid(at + ".action", "must be an upper-case SQL command name such as SELECT");
        }
        if (SESSION_ACTIONS.contains(e.action())) {
            throw ApiException.invalid(at + ".action", e.action() + " is recorded by the server, not sent by drivers");
        }
        if (e.actionClass() == null) throw ApiException.invalid(at + ".actionClass", "is required");
        if (e.decision() == null) throw ApiException.invalid(at + ".decision", "is required");
        if (e.statement() == null) throw ApiException.invalid(at + ".statement", "is required");
        if (utf8Length(e.statement()) > MAX_TEXT_BYTES) {
            throw ApiException.invalid(at + ".statement", "longer than " + MAX_TEXT_BYTES + " bytes");
        }
        checkParameters(at + ".parameters", e.parameters());
        checkObjects(at + ".objects", e.objects());
        optional(at + ".denyReason", e.denyReason(), MAX_DENY_REASON);
        if (e.decision() == Decision.ALLOWED && e.denyReason() != null) {
            throw ApiException.invalid(at + ".denyReason", "must be null for an ALLOWED statement");
        }
    }

    private void checkOutcome(String at, AuditOutcome o) {
        if (o == null) throw ApiException.invalid(at, "is null");
        uuid(at + ".eventId", o.eventId());
        if (o.rowsAffected() != null && o.rowsAffected() < 0) {
            throw ApiException.invalid(at + ".rowsAffected", "must be null (unknown) or at least 0");
        }
        optional(at + ".error", o.error(), MAX_ERROR);
        if (!Double.isFinite(o.durationMs()) || o.durationMs() < 0) {
            throw ApiException.invalid(at + ".durationMs", "must be a finite number of milliseconds, at least 0");
        }
    }

    private void checkParameters(String at, String parameters) {
        if (parameters == null) return;
        if (utf8Length(parameters) > MAX_TEXT_BYTES) throw ApiException.invalid(at, "longer than " + MAX_TEXT_BYTES + " bytes");
        // Streamed, not read into a tree: only the shape matters here, and a tree per event was ~3% of
        // the server's CPU per audit POST. skipChildren() still reads (and so checks) every token.
        JsonToken first;
        try (JsonParser p = json.createParser(parameters)) {
            first = p.nextToken();
            if (first == JsonToken.START_ARRAY) {
                p.skipChildren();
                if (p.nextToken() != null) throw ApiException.invalid(at, "is not valid JSON: more than one value");
            }
        } catch (JsonProcessingException ex) {
            throw ApiException.invalid(at, "is not valid JSON: " + ex.getOriginalMessage());
        } catch (IOException ex) {
            throw new UncheckedIOException("reading a string cannot fail", ex);
        }
        if (first != JsonToken.START_ARRAY) throw ApiException.invalid(at, "must be a JSON array of the bound values, or null");
    }

    private static void checkObjects(String at, List<String> objects) {
        if (objects == null) return;
        if (objects.size() > MAX_OBJECTS) throw ApiException.invalid(at, "at most " + MAX_OBJECTS + " objects");
        for (int i = 0; i < objects.size(); i++) required(at + "[" + i + "]", objects.get(i), MAX_OBJECT_NAME);
    }

    private static void uuid(String at, String value) {
        if (value == null) throw ApiException.invalid(at, "is required");
        if (!isUuid(value)) throw ApiException.invalid(at, "must be a UUID (8-4-4-4-12 hex digits)");
    }

    /**
     * Whether {@code s} is 8-4-4-4-12 ASCII hex digits (either case). Checked by hand: the regex it
     * replaced was ~2% of the server's CPU per ingested event (every event and outcome has an id).
     */
    static boolean isUuid(String s) {
        if (s.length() != 36) return false;
        for (int i = 0; i < 36; i++) {
            char ch = s.charAt(i);
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                if (ch != '-') return false;
            } else if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F'))) {
                return false;
            }
        }
        return true;
    }

    private static void required(String at, String value, int max) {
        if (value == null || value.isBlank()) throw ApiException.invalid(at, "is required");
        optional(at, value, max);
    }

    private static void optional(String at, String value, int max) {
        if (value != null && value.length() > max) throw ApiException.invalid(at, "longer than " + max + " characters");
    }

    /** UTF-8 length without copying the (possibly 1 MiB) string. */
    static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch < 0x80) n += 1;
            else if (ch < 0x800) n += 2;
            else if (Character.isHighSurrogate(ch) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else n += 3;
        }
        return n;
    }
}

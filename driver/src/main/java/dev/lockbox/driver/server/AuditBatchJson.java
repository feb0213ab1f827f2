package dev.lockbox.driver.server;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.lockbox.api.LockboxJson;
import dev.lockbox.api.audit.AuditBatch;
import dev.lockbox.api.audit.AuditEventSubmission;
import dev.lockbox.api.audit.AuditOutcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The body of {@code POST /api/audit/events}: an {@link AuditBatch} written field by field with
 * Jackson's streaming generator, byte for byte what {@link LockboxJson}'s mapper writes for it (same
 * field order, nulls written, instants as ISO-8601, enums by name; {@code AuditBatchJsonTest} holds
 * the two together). A sync statement waits for this: the mapper's reflective bean serialization was
 * about a fifth of the calling thread's CPU per sync statement (docs/benchmarks.md, "Sync with
 * nothing stored"). The records in {@code lockbox-api} stay the one definition of the wire type.
 */
final class AuditBatchJson {
    private static final JsonFactory FACTORY = LockboxJson.newMapper().getFactory();

    private AuditBatchJson() {}

    static byte[] encode(AuditBatch batch) {
        int events = batch.events() == null ? 0 : batch.events().size();
        try (ByteArrayBuilder out = new ByteArrayBuilder(256 + 512 * Math.min(events, 64));
             JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("environment", batch.environment());
            g.writeFieldName("events");
            if (batch.events() == null) {
                g.writeNull();
            } else {
                g.writeStartArray();
                for (AuditEventSubmission e : batch.events()) event(g, e);
                g.writeEndArray();
            }
            g.writeFieldName("outcomes");
            if (batch.outcomes() == null) {
                g.writeNull();
            } else {
                g.writeStartArray();
                for (AuditOutcome o : batch.outcomes()) outcome(g, o);
                g.writeEndArray();
            }
            g.writeEndObject();
            g.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write an audit batch to memory", e);
        }
    }

    private static void event(JsonGenerator g, AuditEventSubmission e) throws IOException {
        if (e == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        g.writeStringField("eventId", e.eventId());
        g.writeStringField("eventTime", e.eventTime() == null ? null : e.eventTime().toString());
        g.writeStringField("requestId", e.requestId());
        g.writeStringField("database", e.database());
        g.writeStringField("dbUser", e.dbUser());
        g.writeStringField("sessionId", e.sessionId());
        g.writeStringField("clientHost", e.clientHost());
        g.writeStringField("applicationName", e.applicationName());
        g.writeStringField("action", e.action());
        g.writeStringField("actionClass", e.actionClass() == null ? null : e.actionClass().name());
        g.writeFieldName("objects");
        strings(g, e.objects());
        g.writeStringField("statement", e.statement());
        g.writeStringField("parameters", e.parameters());
        g.writeStringField("decision", e.decision() == null ? null : e.decision().name());
        g.writeStringField("denyReason", e.denyReason());
        g.writeEndObject();
    }

    private static void outcome(JsonGenerator g, AuditOutcome o) throws IOException {
        if (o == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        g.writeStringField("eventId", o.eventId());
        g.writeBooleanField("succeeded", o.succeeded());
        g.writeFieldName("rowsAffected");
        if (o.rowsAffected() == null) g.writeNull(); else g.writeNumber(o.rowsAffected());
        g.writeStringField("error", o.error());
        g.writeNumberField("durationMs", o.durationMs());
        g.writeEndObject();
    }

    private static void strings(JsonGenerator g, List<String> values) throws IOException {
        if (values == null) {
            g.writeNull();
            return;
        }
        g.writeStartArray();
        for (String v : values) g.writeString(v);
        g.writeEndArray();
    }
}

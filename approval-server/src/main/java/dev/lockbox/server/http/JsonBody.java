package dev.lockbox.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.lockbox.api.LockboxJson;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.stream.Collectors;

/**
 * Reads a request body into a wire record with the shared {@code LockboxJson} mapper (unknown
 * fields and wrong types refused) and turns every failure into a 400 that names the field.
 */
public final class JsonBody {
    public static final int MAX_BODY = 1024 * 1024;
    /** Bodies up to this size are read to the end before a 413, larger ones are refused unread. */
    private static final long MAX_DRAINED = 4L * MAX_BODY;
    private static final String BODY_ATTRIBUTE = "lockbox.body";
    private final ObjectMapper mapper;

    /**
     * The shared {@code LockboxJson} mapper made strict where Jackson still coerces: numbers and
     * booleans are not read as strings, numbers are not read as durations or instants.
     */
    public static ObjectMapper strictMapper() {
        ObjectMapper m = LockboxJson.newMapper().registerModule(new StrictTimeModule());
        m.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return m;
    }

    public JsonBody(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public <T> T read(Context ctx, Class<T> type) {
        return parse(bytes(ctx), type);
    }

    /** A body already read (at most {@link #MAX_BODY} bytes) as a wire record, with the same 400s as {@link #read}. */
    public <T> T parse(byte[] bytes, Class<T> type) {
        if (bytes.length == 0) throw ApiException.invalid("body", "a JSON object is required");
        T value;
        try {
            value = mapper.readValue(bytes, type);
        } catch (UnrecognizedPropertyException e) {
            throw ApiException.invalid(path(e), "unknown field");
        } catch (MismatchedInputException e) {
            String field = path(e);
            throw ApiException.invalid(field, "wrong type or value, expected " + describe(e.getTargetType()));
        } catch (JsonMappingException e) {
            throw ApiException.invalid(path(e), "not a valid value: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw ApiException.invalid("body", "malformed JSON at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr());
        } catch (IOException e) {
            throw ApiException.invalid("body", "could not be read");
        }
        if (value == null) throw ApiException.invalid("body", "a JSON object is required");
        return value;
    }

    /**
     * The raw body, at most {@link #MAX_BODY} bytes. Counted while reading, not only from
     * Content-Length, so a chunked upload cannot exceed the limit either.
     */
    public static byte[] bytes(Context ctx) {
        byte[] cached = ctx.attribute(BODY_ATTRIBUTE);
        if (cached != null) return cached;
        // Far over the limit: refused unread (the client may see the connection close mid-upload).
        if (ctx.req().getContentLengthLong() > MAX_DRAINED) throw tooLarge();
        byte[] body;
        try (InputStream in = ctx.req().getInputStream()) {
            body = in.readNBytes(MAX_BODY + 1);
            if (body.length > MAX_BODY) {
                // A little over: read the rest first, so the client gets its 413 rather than a reset
                // connection while it is still sending.
                long left = MAX_DRAINED - body.length;
                while (left > 0) {
                    long skipped = in.skip(left);
                    if (skipped <= 0 && in.read() < 0) break;
                    left -= Math.max(skipped, 1);
                }
                throw tooLarge();
            }
        } catch (IOException e) {
            throw ApiException.invalid("body", "could not be read");
        }
        ctx.attribute(BODY_ATTRIBUTE, body);
        return body;
    }

    private static ApiException tooLarge() {
        return new ApiException(413, "too_large", "body: larger than the limit of 1 MiB");
    }

    private static String path(JsonMappingException e) {
        if (e.getPath().isEmpty()) return "body";
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String describe(Class<?> t) {
        if (t == null) return "another type";
        if (t == Duration.class) return "an ISO-8601 duration such as \"PT4H\"";
        if (t == Instant.class) return "an ISO-8601 instant such as \"2026-01-31T17:00:00Z\"";
        if (t == String.class) return "a string";
        if (t == Boolean.class || t == boolean.class) return "true or false";
        if (Number.class.isAssignableFrom(t) || t.isPrimitive()) return "a number";
        if (Collection.class.isAssignableFrom(t) || t.isArray()) return "an array";
        if (t.isEnum()) {
            return "one of " + java.util.Arrays.stream(t.getEnumConstants()).map(Object::toString)
                    .collect(Collectors.joining(", "));
        }
        return "a JSON object";
    }
}

package dev.lockbox.server.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.function.Function;

/**
 * Accepts {@code java.time} values only as ISO-8601 strings. The JSR-310 module would otherwise
 * read {@code "accessPeriod": 3600} as 3600 seconds, a number silently taken for a duration.
 */
public final class StrictTimeModule extends SimpleModule {
    public StrictTimeModule() {
        super("lockbox-strict-time");
        addDeserializer(Duration.class, new IsoString<>(Duration.class, Duration::parse));
        addDeserializer(Instant.class, new IsoString<>(Instant.class, IsoInstant::parse));
    }

    private static final class IsoString<T> extends StdScalarDeserializer<T> {
        private final transient Function<String, T> parse;

        IsoString(Class<T> type, Function<String, T> parse) {
            super(type);
            this.parse = parse;
        }

        @Override
        @SuppressWarnings("unchecked")
        public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                return (T) ctxt.handleUnexpectedToken(handledType(), p);
            }
            try {
                return parse.apply(p.getText().strip());
            } catch (DateTimeParseException e) {
                return (T) ctxt.handleWeirdStringValue(handledType(), p.getText(), "not ISO-8601");
            }
        }
    }
}

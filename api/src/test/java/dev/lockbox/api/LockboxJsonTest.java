package dev.lockbox.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.lockbox.api.audit.AuditOutcome;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The one JSON configuration: what it accepts and what it refuses, for every reader of the wire types. */
class LockboxJsonTest {
    private final ObjectMapper json = LockboxJson.newMapper();

    @Test
    void readsWhatItWrites() throws Exception {
        AuditOutcome o = new AuditOutcome("e-1", true, 3L, null, 1.5);
        assertThat(json.readValue(json.writeValueAsString(o), AuditOutcome.class)).isEqualTo(o);
    }

    @ParameterizedTest
    @ValueSource(strings = {"42", "4.2", "true"})
    void aNumberOrBooleanIsNotAString(String literal) {
        assertThatThrownBy(() -> json.readValue("{\"eventId\": " + literal + ", \"succeeded\": true, \"rowsAffected\": 1,"
                + " \"error\": null, \"durationMs\": 1.0}", AuditOutcome.class))
                .isInstanceOf(MismatchedInputException.class);
    }

    @Test
    void aStringIsNotABoolean() {
        assertThatThrownBy(() -> json.readValue("{\"eventId\": \"e-1\", \"succeeded\": \"true\", \"rowsAffected\": 1,"
                + " \"error\": null, \"durationMs\": 1.0}", AuditOutcome.class))
                .isInstanceOf(MismatchedInputException.class);
    }

    @Test
    void unknownFieldsAreRefused() {
        assertThatThrownBy(() -> json.readValue("{\"eventId\": \"e-1\", \"succeeded\": true, \"rowsAffected\": 1,"
                + " \"error\": null, \"durationMs\": 1.0, \"admin\": true}", AuditOutcome.class))
                .isInstanceOf(UnrecognizedPropertyException.class);
    }
}

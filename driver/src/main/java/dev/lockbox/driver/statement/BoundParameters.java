package dev.lockbox.driver.statement;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockbox.api.LockboxJson;
import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Blob;
import java.sql.Clob;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The values bound to one prepared statement, recorded as the audit event's {@code parameters}: a
 * JSON array by position (1-based index i at array index i-1), named CallableStatement parameters
 * appended as {@code {"name": value}}. Long strings are cut and streams/LOBs are described, not read
 * (reading would consume them before the database does).
 */
public final class BoundParameters {
    private static final ObjectMapper JSON = LockboxJson.newMapper();
    private static final int MAX_TEXT = 4096;
    private static final long MAX_BATCH_BYTES = 1_000_000;

    private final ArrayList<Object> positional = new ArrayList<>();
    private final LinkedHashMap<String, Object> named = new LinkedHashMap<>();

    /** {@code setXxx(int index, value, ...)} or {@code setXxx(String name, value, ...)}; setNull records null. */
    public void bind(Object indexOrName, String setter, Object value) {
        Object v = setter.equals("setNull") ? null : describe(value);
        if (indexOrName instanceof Integer index) {
            if (index < 1 || index > 100_000) {
                return; // the database rejects it; nothing to record
            }
            while (positional.size() < index) {
                positional.add(null);
            }
            positional.set(index - 1, v);
        } else if (indexOrName instanceof String name) {
            named.put(name, v);
        }
    }

    public void clear() {
        positional.clear();
        named.clear();
    }

    /** The current values, detached (for a batch entry). */
    public List<Object> snapshot() {
        List<Object> values = new ArrayList<>(positional);
        for (Map.Entry<String, Object> e : named.entrySet()) {
            values.add(Map.of(e.getKey(), e.getValue() == null ? "null" : e.getValue()));
        }
        return values;
    }

    public String json() {
        return json(snapshot());
    }

    public static String json(Object values) {
        try {
            return JSON.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            return "[\"<parameters could not be rendered>\"]";
        }
    }

    /**
     * The rows of a prepared batch as a JSON array of arrays, kept under the server's 1 MiB
     * parameters column: rows that do not fit are summarised by a final string element.
     */
    public static String batchJson(List<List<Object>> rows) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < rows.size(); i++) {
            String row = json(rows.get(i));
            // 3 bytes per char bounds the UTF-8 size without encoding
            if ((long) (sb.length() + row.length()) * 3 > MAX_BATCH_BYTES) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append('"').append(rows.size() - i).append(" more rows not recorded (audit size limit)\"");
                break;
            }
            if (i > 0) {
                sb.append(',');
            }
            sb.append(row);
        }
        return sb.append(']').toString();
    }

    private static Object describe(Object value) {
        if (value == null || value instanceof Boolean || value instanceof Integer || value instanceof Long
                || value instanceof Short || value instanceof Byte || value instanceof BigDecimal
                || value instanceof BigInteger) {
            return value;
        }
        if (value instanceof Double d) {
            return d.isNaN() || d.isInfinite() ? d.toString() : d;
        }
        if (value instanceof Float f) {
            return f.isNaN() || f.isInfinite() ? f.toString() : f;
        }
        if (value instanceof byte[] bytes) {
            return "<" + bytes.length + " bytes>";
        }
        if (value instanceof InputStream || value instanceof Reader) {
            return "<stream>";
        }
        if (value instanceof Blob || value instanceof Clob) {
            return "<lob>";
        }
        String text = String.valueOf(value);
        return text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) + "...(" + text.length() + " chars)" : text;
    }
}

package dev.lockbox.server.testing;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockbox.api.ApiError;
import dev.lockbox.api.LockboxJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A plain HTTP client for the server's API over loopback, speaking the shared JSON. */
public final class ApiClient {
    public static final ObjectMapper JSON = LockboxJson.newMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String baseUrl;

    public ApiClient(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    public Response get(String token, String path) {
        return send("GET", token, path, null);
    }

    public Response post(String token, String path, Object body) {
        return send("POST", token, path, body);
    }

    public Response put(String token, String path, Object body) {
        return send("PUT", token, path, body);
    }

    public Response delete(String token, String path) {
        return send("DELETE", token, path, null);
    }

    /** {@code body}: null = no body; a String is sent as is (raw JSON); anything else is serialized. */
    public Response send(String method, String token, String path, Object body) {
        try {
            String text = body == null ? null : body instanceof String s ? s : JSON.writeValueAsString(body);
            return sendBytes(method, token, path, text == null ? null : text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Response sendBytes(String method, String token, String path, byte[] body) {
        return exchange(method, token, path, body == null ? null : HttpRequest.BodyPublishers.ofByteArray(body));
    }

    /** The body without a Content-Length (chunked transfer encoding), as a streaming client sends it. */
    public Response sendChunked(String method, String token, String path, byte[] body) {
        return exchange(method, token, path, HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body)));
    }

    private Response exchange(String method, String token, String path, HttpRequest.BodyPublisher body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30));
        if (token != null) b.header("Authorization", "Bearer " + token);
        if (body != null) b.header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body);
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), r.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public record Response(int status, String body, HttpHeaders headers) {
        /** The response header's value, or null when absent. */
        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        public <T> T as(Class<T> type) {
            try {
                return JSON.readValue(body, type);
            } catch (IOException e) {
                throw new AssertionError("status " + status + ", cannot read " + type.getSimpleName() + " from: " + body, e);
            }
        }

        public <T> T as(TypeReference<T> type) {
            try {
                return JSON.readValue(body, type);
            } catch (IOException e) {
                throw new AssertionError("status " + status + ", cannot read body: " + body, e);
            }
        }

        public ApiError error() {
            return as(ApiError.class);
        }

        public Response expect(int expected) {
            if (status != expected) throw new AssertionError("expected HTTP " + expected + " but got " + status + ": " + body);
            return this;
        }
    }
}

package io.hookpost.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A client of Hookpost's REST API over real HTTP, as a curl user or SDK would call it. */
public final class Api {
    public record Response(int status, String contentType, JsonNode json, String text, HttpHeaders headers) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;
    private final String key;

    public Api(int port, String key) {
        this.base = "http://127.0.0.1:" + port;
        this.key = key;
    }

    public Api withKey(String otherKey) {
        return new Api(Integer.parseInt(base.substring(base.lastIndexOf(':') + 1)), otherKey);
    }

    public Response post(String path, Object body) {
        return post(path, body, Map.of());
    }

    public Response post(String path, Object body, Map<String, String> headers) {
        return send("POST", path, body, headers);
    }

    /** Publishes events {@code evt-0} … {@code evt-<n-1>} (type host.offline, data {n}) to the account; each answered 202. */
    public void publishNumbered(String account, int events) {
        for (int i = 0; i < events; i++) {
            Response accepted = post("/api/v1/accounts/" + account + "/events",
                    Map.of("id", "evt-" + i, "type", "host.offline", "data", Map.of("n", i)));
            if (accepted.status() != 202) {
                throw new AssertionError("event evt-" + i + " answered " + accepted.status() + ": " + accepted.text());
            }
        }
    }

    public Response patch(String path, Object body) {
        return send("PATCH", path, body, Map.of());
    }

    /** Any method with a body: a map (sent as JSON), raw JSON text or bytes. */
    public Response send(String method, String path, Object body, Map<String, String> headers) {
        try {
            byte[] bytes = body instanceof byte[] b ? b
                    : body instanceof String s ? s.getBytes(java.nio.charset.StandardCharsets.UTF_8)
                    : JSON.writeValueAsBytes(body);
            // a body of unknown length goes out chunked (the JDK client refuses a Transfer-Encoding header)
            boolean chunked = "chunked".equals(headers.get("Transfer-Encoding"));
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).method(method, chunked
                    ? HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(bytes))
                    : HttpRequest.BodyPublishers.ofByteArray(bytes));
            if (!headers.containsKey("Content-Type")) {
                request.header("Content-Type", "application/json");
            }
            headers.forEach((name, value) -> {
                if (!name.equals("Transfer-Encoding")) {
                    request.header(name, value);
                }
            });
            return send(request);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public Response delete(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
    }

    public Response get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    private Response send(HttpRequest.Builder request) {
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            String contentType = response.headers().firstValue("Content-Type").orElse(null);
            JsonNode json = null;
            if (contentType != null && contentType.contains("json") && !response.body().isEmpty()) {
                json = JSON.readTree(response.body());
            }
            return new Response(response.statusCode(), contentType, json, response.body(), response.headers());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

package io.hookpost.support;

import java.io.IOException;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * An operator's browser or script on the actuator pages, over real HTTP: HTTP basic credentials (or none) and
 * a cookie jar, so the {@code XSRF-TOKEN} cookie can be echoed in {@code X-XSRF-TOKEN} as the Hawtio console does.
 */
public final class OperatorClient {
    private final String base;
    private final String authorization;
    private final CookieManager cookies = new CookieManager();
    private final HttpClient http;

    private OperatorClient(int port, String authorization) {
        this.base = "http://127.0.0.1:" + port;
        this.authorization = authorization;
        this.http = HttpClient.newBuilder().cookieHandler(cookies).build();
    }

    public static OperatorClient anonymous(int port) {
        return new OperatorClient(port, null);
    }

    public static OperatorClient basic(int port, String user, String password) {
        return new OperatorClient(port, "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    public HttpResponse<String> post(String path, String json, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        headers.forEach(request::header);
        return send(request);
    }

    /** The CSRF token the server put in the XSRF-TOKEN cookie, or null. */
    public String xsrfToken() {
        return cookies.getCookieStore().getCookies().stream()
                .filter(c -> c.getName().equals("XSRF-TOKEN"))
                .map(HttpCookie::getValue)
                .findFirst().orElse(null);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

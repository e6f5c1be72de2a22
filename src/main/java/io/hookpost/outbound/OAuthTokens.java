package io.hookpost.outbound;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Steps {@code authorize-request} and {@code forget-refused-token}: the access tokens of endpoints whose receivers
 * want OAuth 2.0 (client credentials grant, RFC 6749 §4.4). A token is asked for once and sent with every attempt
 * to the endpoint until shortly before it expires, or until the receiver answers 401 (revoked early). Camel has no
 * OAuth client for outgoing requests and Spring Security's would bring its whole web stack, so this does the one
 * POST by hand, through the deliveries' own HTTP client: the same SSRF guard on the addresses connected to, the same
 * timeouts, no redirects.
 */
@Component("oauthTokens")
public class OAuthTokens implements AutoCloseable {
    /** A token is asked for again this long before it expires (or at half its life, if that is shorter). */
    static final Duration RENEW_BEFORE_EXPIRY = Duration.ofSeconds(60);
    /** A token answer without expires_in (RFC 6749 lets the server leave it out) is used this long. */
    static final Duration LIFETIME_UNSTATED = Duration.ofMinutes(5);
    /** A token answer longer than this is not a token answer. */
    static final int MAX_ANSWER_BYTES = 64 * 1024;
    /** The exchange property holding the token this attempt sent. */
    private static final String TOKEN_SENT = "hookpost.oauthTokenSent";
    /** Of a refused token request's answer, this much goes into the attempt's error. */
    private static final int ANSWER_SHOWN = 300;

    private record Token(OAuthClient client, String value, Instant renewAt) {
    }

    /** A token request that failed, and when it ended (System.nanoTime). */
    private record Failure(OAuthClient client, String message, long endedNanos) {
    }

    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private final Map<String, Failure> failures = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private final CloseableHttpClient http;
    private final SsrfGuard guard;
    private final ObjectMapper json;
    private final String userAgent;

    public OAuthTokens(@Qualifier("deliveryConnections") PoolingHttpClientConnectionManager connections,
                       @Qualifier("deliveryHttpClientConfigurer") HttpClientConfigurer configurer, SsrfGuard guard,
                       ObjectMapper json, @Value("${hookpost.version}") String version) {
        HttpClientBuilder builder = HttpClientBuilder.create().setConnectionManager(connections)
                .setConnectionManagerShared(true);
        configurer.configureHttpClient(builder);
        this.http = builder.build();
        this.guard = guard;
        this.json = json;
        this.userAgent = DeliveryRequest.USER_AGENT_PREFIX + version;
    }

    /**
     * Sets {@code Authorization: Bearer <token>} when the endpoint has an OAuth client; a failed token request fails
     * the attempt.
     */
    public void authorize(Exchange exchange) throws IOException {
        OAuthClient client = exchange.getProperty(DeliveryProperties.OAUTH, OAuthClient.class);
        if (client == null) {
            exchange.removeProperty(TOKEN_SENT); // an attempt before, in memory, may have sent one
            return;
        }
        String endpointId = exchange.getProperty(DeliveryProperties.ENDPOINT_ID, String.class);
        String token = token(endpointId, client);
        exchange.setProperty(TOKEN_SENT, token);
        exchange.getMessage().setHeader("Authorization", "Bearer " + token);
    }

    /**
     * After the receiver's answer: a 401 means the token sent was refused (revoked, rotated), so the next attempt asks
     * anew; one asked for meanwhile by another attempt is kept.
     */
    public void answered(Exchange exchange) {
        String sent = exchange.getProperty(TOKEN_SENT, String.class);
        if (sent != null && Integer.valueOf(401).equals(
                exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class))) {
            tokens.computeIfPresent(exchange.getProperty(DeliveryProperties.ENDPOINT_ID, String.class),
                    (endpointId, token) -> token.value().equals(sent) ? null : token);
        }
    }

    private String token(String endpointId, OAuthClient client) throws IOException {
        Token token = tokens.get(endpointId);
        if (usable(token, client)) {
            return token.value();
        }
        // one request per endpoint at a time: the attempts that waited for it share its token, or its failure (each
        // asking again in turn would hold a delivery thread a whole timeout per attempt waiting, while the token
        // endpoint hangs); an attempt that comes after a failure asks again
        long waitingSince = System.nanoTime();
        synchronized (locks.computeIfAbsent(endpointId, id -> new Object())) {
            token = tokens.get(endpointId);
            if (usable(token, client)) {
                return token.value();
            }
            Failure failed = failures.get(endpointId);
            if (failed != null && failed.client().equals(client) && failed.endedNanos() - waitingSince > 0) {
                throw new TokenRequestFailed(failed.message());
            }
            try {
                token = request(client);
            } catch (TokenRequestFailed e) {
                failures.put(endpointId, new Failure(client, e.getMessage(), System.nanoTime()));
                throw e;
            }
            failures.remove(endpointId);
            tokens.put(endpointId, token);
            return token.value();
        }
    }

    private static boolean usable(Token token, OAuthClient client) {
        return token != null && token.client().equals(client) && Instant.now().isBefore(token.renewAt());
    }

    /** A token, or {@link TokenRequestFailed} naming the token endpoint (its cause what went wrong on the way). */
    private Token request(OAuthClient client) throws TokenRequestFailed {
        try {
            return ask(client);
        } catch (TokenRequestFailed e) {
            throw e;
        } catch (IOException e) {
            throw new TokenRequestFailed(client, "failed: " + AttemptCapture.describe(e), e);
        }
    }

    private Token ask(OAuthClient client) throws IOException {
        guard.checkUrl(client.tokenUrl());
        List<String> form = new ArrayList<>(List.of("grant_type=client_credentials"));
        add(form, "scope", client.scope());
        add(form, "audience", client.audience());
        HttpPost post = new HttpPost(client.tokenUrl());
        post.setHeader("Accept", "application/json");
        post.setHeader("User-Agent", userAgent);
        if (client.authentication() == OAuthClient.Authentication.BASIC) {
            String pair = encode(client.clientId()) + ":" + encode(client.clientSecret());
            post.setHeader("Authorization", "Basic "
                    + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        } else {
            add(form, "client_id", client.clientId());
            add(form, "client_secret", client.clientSecret());
        }
        // no charset parameter: the form is ASCII once percent-encoded (its text as UTF-8, RFC 6749 appendix B);
        // HttpCore's APPLICATION_FORM_URLENCODED would say ISO-8859-1
        post.setEntity(new StringEntity(String.join("&", form), ContentType.create("application/x-www-form-urlencoded")));
        Instant asked = Instant.now();
        return http.execute(post, response -> {
            byte[] answer;
            try (InputStream in = response.getEntity() == null ? InputStream.nullInputStream()
                    : response.getEntity().getContent()) {
                answer = in.readNBytes(MAX_ANSWER_BYTES + 1);
            }
            String text = new String(answer, 0, Math.min(answer.length, ANSWER_SHOWN), StandardCharsets.UTF_8);
            if (response.getCode() != 200) {
                throw new TokenRequestFailed(client, "answered HTTP " + response.getCode()
                        + (text.isBlank() ? "" : ": " + text));
            }
            if (answer.length > MAX_ANSWER_BYTES) {
                throw new TokenRequestFailed(client, "answered with more than " + MAX_ANSWER_BYTES + " bytes");
            }
            JsonNode body;
            try {
                body = json.readTree(answer);
            } catch (IOException e) {
                throw new TokenRequestFailed(client, "answered with something other than JSON: " + text);
            }
            JsonNode accessToken = body == null ? null : body.get("access_token");
            if (accessToken == null || !accessToken.isTextual() || accessToken.asText().isEmpty()) {
                throw new TokenRequestFailed(client, "answered without an access_token");
            }
            JsonNode type = body.get("token_type");
            if (type != null && !type.asText().equalsIgnoreCase("Bearer")) {
                throw new TokenRequestFailed(client, "gave a token of type '" + type.asText()
                        + "'; only Bearer tokens are sent");
            }
            if (!accessToken.asText().chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
                throw new TokenRequestFailed(client, "gave an access_token that cannot go in a header");
            }
            JsonNode expiresIn = body.get("expires_in");
            // a number, as RFC 6749 has it, or a string of one, as some servers send it
            long seconds = expiresIn == null ? 0 : expiresIn.asLong(0);
            Duration lifetime = seconds > 0 ? Duration.ofSeconds(seconds) : LIFETIME_UNSTATED;
            Duration early = lifetime.dividedBy(2).compareTo(RENEW_BEFORE_EXPIRY) < 0 ? lifetime.dividedBy(2)
                    : RENEW_BEFORE_EXPIRY;
            return new Token(client, accessToken.asText(), asked.plus(lifetime).minus(early));
        });
    }

    private static void add(List<String> form, String name, String value) {
        if (value != null) {
            form.add(name + "=" + encode(value));
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        http.close();
    }

    /** The token endpoint refused or answered what is not a token: the attempt fails with this as its error. */
    public static class TokenRequestFailed extends IOException {
        TokenRequestFailed(OAuthClient client, String what) {
            super("OAuth token request to " + client.tokenUrl() + " " + what);
        }

        TokenRequestFailed(OAuthClient client, String what, Throwable cause) {
            super("OAuth token request to " + client.tokenUrl() + " " + what, cause);
        }

        /** The failure of the request this attempt waited for. */
        TokenRequestFailed(String message) {
            super(message);
        }
    }
}

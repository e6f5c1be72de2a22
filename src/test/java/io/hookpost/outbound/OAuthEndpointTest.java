package io.hookpost.outbound;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookpost.support.Api;
import io.hookpost.support.HookpostTest;
import io.hookpost.support.TestReceiver;
import io.hookpost.support.TestReceiver.Received;
import io.hookpost.support.TestReceiver.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Endpoints whose receivers want an OAuth 2.0 access token (client credentials grant): a real token endpoint on
 * loopback issues tokens, the receiver sees each POST carry one, and the API keeps the client secret to itself.
 */
class OAuthEndpointTest extends HookpostTest {
    private static final String CLIENT_SECRET = "s3cret:with/odd chars+&=";
    private TestReceiver tokenServer;
    private final AtomicInteger issued = new AtomicInteger();

    @BeforeEach
    void startTokenServer() throws Exception {
        tokenServer = new TestReceiver();
        tokenServer.answer(request -> token("tok-" + issued.incrementAndGet(), 3600));
    }

    @AfterEach
    void stopTokenServer() {
        tokenServer.close();
    }

    private static Reply token(String value, long expiresIn) {
        return new Reply(200, Map.of("Content-Type", "application/json"), ("{\"access_token\":\"" + value
                + "\",\"token_type\":\"Bearer\",\"expires_in\":" + expiresIn + "}").getBytes(StandardCharsets.UTF_8));
    }

    private Map<String, Object> oauth() {
        Map<String, Object> oauth = new LinkedHashMap<>();
        oauth.put("tokenUrl", tokenServer.url("/oauth/token"));
        oauth.put("clientId", "hookpost-client");
        oauth.put("clientSecret", CLIENT_SECRET);
        oauth.put("scope", "webhooks:write");
        oauth.put("audience", "https://api.example.com");
        return oauth;
    }

    private JsonNode endpointWithOAuth(Map<String, Object> oauth, List<String> retrySchedule) {
        return createEndpoint(Map.of("url", receiver.url("/hooks"), "oauth", oauth, "retrySchedule", retrySchedule));
    }

    private String publishOne() {
        return publish(Map.of("type", "host.offline", "data", Map.of("host", "web-1")));
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return form;
    }

    @Test
    void each_post_carries_a_bearer_token_asked_for_once_with_the_client_credentials() throws Exception {
        JsonNode endpoint = endpointWithOAuth(oauth(), List.of("1s"));
        for (int i = 0; i < 3; i++) {
            publishOne();
            assertThat(receiver.next(WAIT).header("Authorization")).isEqualTo("Bearer tok-1");
        }

        List<Received> tokenRequests = tokenServer.takeAll();
        assertThat(tokenRequests).as("one token for the three posts").hasSize(1);
        Received asked = tokenRequests.get(0);
        assertThat(asked.path()).isEqualTo("/oauth/token");
        assertThat(asked.header("Content-Type")).as("no charset: the form is ASCII")
                .isEqualTo("application/x-www-form-urlencoded");
        assertThat(asked.header("Accept")).isEqualTo("application/json");
        String basic = new String(Base64.getDecoder().decode(asked.header("Authorization").substring("Basic ".length())),
                StandardCharsets.UTF_8);
        int colon = basic.indexOf(':');
        assertThat(URLDecoder.decode(basic.substring(0, colon), StandardCharsets.UTF_8)).isEqualTo("hookpost-client");
        assertThat(URLDecoder.decode(basic.substring(colon + 1), StandardCharsets.UTF_8)).isEqualTo(CLIENT_SECRET);
        assertThat(form(asked.bodyText())).containsExactly(Map.entry("grant_type", "client_credentials"),
                Map.entry("scope", "webhooks:write"), Map.entry("audience", "https://api.example.com"));

        String path = "/api/v1/accounts/" + account + "/endpoints/" + endpoint.get("id").asText();
        Api.Response shown = operator.get(path);
        assertThat(shown.json().get("oauth").get("tokenUrl").asText()).isEqualTo(tokenServer.url("/oauth/token"));
        assertThat(shown.json().get("oauth").get("clientId").asText()).isEqualTo("hookpost-client");
        assertThat(shown.json().get("oauth").get("clientAuthentication").asText()).isEqualTo("basic");
        assertThat(shown.json().get("oauth").has("clientSecret")).isFalse();
        assertThat(shown.text()).doesNotContain(CLIENT_SECRET);
        assertThat(endpoint.toString()).as("the creation answer").doesNotContain(CLIENT_SECRET);
        eventually(() -> operator.get(path + "/attempts").json().get("data").size() == 3, "three attempts recorded");
        Api.Response attempts = operator.get(path + "/attempts");
        assertThat(attempts.text()).as("the token is not kept with the attempts").doesNotContain("tok-1");
    }

    @Test
    void a_401_from_the_receiver_makes_the_next_attempt_ask_for_a_new_token() throws Exception {
        AtomicInteger posts = new AtomicInteger();
        receiver.answer(request -> posts.incrementAndGet() == 1 ? Reply.status(401) : Reply.ok());
        endpointWithOAuth(oauth(), List.of("1s"));
        String eventId = publishOne();

        assertThat(receiver.next(WAIT).header("Authorization")).isEqualTo("Bearer tok-1");
        assertThat(receiver.next(WAIT).header("Authorization")).as("the retry").isEqualTo("Bearer tok-2");
        eventually(() -> "delivered".equals(deliveriesOf(eventId).get(0).get("status")), "delivered");
        assertThat(tokenServer.takeAll()).hasSize(2);
    }

    @Test
    void a_token_near_its_expiry_is_asked_for_again() throws Exception {
        tokenServer.answer(request -> token("short-" + issued.incrementAndGet(), 2));
        endpointWithOAuth(oauth(), List.of("1s"));
        publishOne();
        assertThat(receiver.next(WAIT).header("Authorization")).isEqualTo("Bearer short-1");
        Thread.sleep(1_200); // past half its life of 2 s
        publishOne();
        assertThat(receiver.next(WAIT).header("Authorization")).isEqualTo("Bearer short-2");
    }

    @Test
    void a_refused_token_request_fails_the_attempt_naming_it_and_the_retry_delivers() throws Exception {
        tokenServer.answer(request -> issued.incrementAndGet() == 1
                ? new Reply(401, Map.of("Content-Type", "application/json"),
                        "{\"error\":\"invalid_client\"}".getBytes(StandardCharsets.UTF_8))
                : token("tok-" + issued.get(), 3600));
        Map<String, Object> oauth = oauth();
        oauth.put("clientAuthentication", "body");
        JsonNode endpoint = endpointWithOAuth(oauth, List.of("1s"));
        String eventId = publishOne();

        Received delivered = receiver.next(WAIT);
        assertThat(delivered.header("Authorization")).isEqualTo("Bearer tok-2");
        eventually(() -> "delivered".equals(deliveriesOf(eventId).get(0).get("status")), "delivered");
        List<Received> asked = tokenServer.takeAll();
        assertThat(asked).hasSize(2);
        assertThat(asked.get(0).header("Authorization")).as("client_secret_post: no Basic header").isNull();
        assertThat(form(asked.get(0).bodyText())).containsEntry("client_id", "hookpost-client")
                .containsEntry("client_secret", CLIENT_SECRET);

        String attemptsPath = "/api/v1/accounts/" + account + "/endpoints/" + endpoint.get("id").asText() + "/attempts";
        eventually(() -> operator.get(attemptsPath).json().get("data").size() == 2, "two attempts recorded");
        JsonNode attempts = operator.get(attemptsPath).json().get("data");
        JsonNode failed = attempts.get(1);
        assertThat(failed.get("succeeded").asBoolean()).isFalse();
        assertThat(failed.get("responseStatus").isNull()).as("the receiver was not reached").isTrue();
        assertThat(failed.get("error").asText()).contains("OAuth token request to " + tokenServer.url("/oauth/token")
                + " answered HTTP 401").contains("invalid_client").doesNotContain(CLIENT_SECRET);
        assertThat(receiver.drain(Duration.ofMillis(300))).as("nothing went without a token").isEmpty();
    }

    /** A create with one field of {@link #oauth()} changed (null: left out) is refused so. */
    private void assertRefused(String endpoints, String field, String value, int status, String detail) {
        Map<String, Object> oauth = oauth();
        if (value == null) {
            oauth.remove(field);
        } else {
            oauth.put(field, value);
        }
        assertProblem(operator.post(endpoints, Map.of("url", receiver.url("/h"), "oauth", oauth)), status, detail);
    }

    @Test
    void oauth_is_checked_when_saved_changed_with_the_endpoint_and_removed_with_null() throws Exception {
        String endpoints = "/api/v1/accounts/" + account + "/endpoints";
        assertRefused(endpoints, "clientSecret", null, 400, "'oauth.clientSecret' is required");
        assertRefused(endpoints, "clientId", "c".repeat(1001), 400, "'oauth.clientId' is required and must be 1 to 1000");
        assertRefused(endpoints, "tokenUrl", "ftp://auth.example.com/token", 422, "'oauth.tokenUrl' is not allowed");
        assertRefused(endpoints, "tokenUrl", "http://169.254.169.254/token", 422, "'oauth.tokenUrl' is not allowed");
        assertRefused(endpoints, "clientAuthentication", "digest", 400, "'oauth.clientAuthentication' must be basic");
        assertRefused(endpoints, "grantType", "password", 400, "grantType");
        assertProblem(operator.post(endpoints, Map.of("url", receiver.url("/h"), "oauth", oauth(),
                "headers", Map.of("authorization", "Bearer static"))), 400, "may not set 'Authorization'");
        assertThat(count("SELECT COUNT(*) FROM endpoints WHERE account_id = ?", account)).as("none saved").isZero();

        JsonNode endpoint = endpointWithOAuth(oauth(), List.of("1s"));
        String path = endpoints + "/" + endpoint.get("id").asText();
        assertProblem(operator.patch(path, Map.of("headers", Map.of("Authorization", "Bearer static"))), 400,
                "may not set 'Authorization'");
        publishOne();
        assertThat(receiver.next(WAIT).header("Authorization")).isEqualTo("Bearer tok-1");

        Map<String, Object> otherClient = oauth();
        otherClient.put("clientId", "second-client");
        assertThat(operator.patch(path, Map.of("oauth", otherClient)).status()).isEqualTo(200);
        publishOne();
        assertThat(receiver.next(WAIT).header("Authorization")).as("a changed client gets its own token")
                .isEqualTo("Bearer tok-2");

        Map<String, Object> removed = new LinkedHashMap<>();
        removed.put("oauth", null);
        Api.Response patched = operator.patch(path, removed);
        assertThat(patched.status()).as(patched.text()).isEqualTo(200);
        assertThat(patched.json().get("oauth").isNull()).isTrue();
        assertThat(db.queryForObject("SELECT oauth FROM endpoints WHERE id = ?", String.class,
                endpoint.get("id").asText())).isNull();
        publishOne();
        assertThat(receiver.next(WAIT).header("Authorization")).as("without oauth, no token").isNull();
        assertThat(operator.patch(path, Map.of("headers", Map.of("Authorization", "Bearer static"))).status())
                .as("a static Authorization header once oauth is gone").isEqualTo(200);
    }
}

package io.hookpost.inbound;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookpost.support.Api;
import io.hookpost.support.Hmac;
import io.hookpost.support.HookpostTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A provider connection's credentials changed in place ({@code PATCH …/providers/{id}}): the inbound URL the provider
 * was given stays the same, callbacks signed with the new credentials are verified at once, and those signed with the
 * replaced ones only during the grace period asked for.
 */
class ProviderCredentialsChangeTest extends HookpostTest {
    private static final String OLD = "old-secret-0123456789abcdef";
    private static final String NEW = "new-secret-0123456789abcdef";
    private final HttpClient http = HttpClient.newHttpClient();

    private String providers() {
        return "/api/v1/accounts/" + account + "/providers";
    }

    private JsonNode connect(String provider, Map<String, String> credentials) {
        Api.Response created = operator.post(providers(), Map.of("provider", provider, "credentials", credentials));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return created.json();
    }

    /** An email-status callback about this message signed with {@code secret}; the answer's status code. */
    private int emailStatus(JsonNode connection, String secret, String messageId) throws Exception {
        byte[] body = ("{\"messageId\":\"" + messageId + "\",\"event\":\"delivery\",\"recipient\":\"ana@example.com\"}")
                .getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + connection.get("inboundPath").asText()))
                .header("Content-Type", "application/json")
                .header("X-Webhook-Signature", "sha256=" + Hmac.hex("HmacSHA256", secret, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private int stored(JsonNode connection) {
        return count("SELECT COUNT(*) FROM inbound_callbacks WHERE connection_id = ?", connection.get("id").asText());
    }

    @Test
    void new_credentials_verify_at_once_on_the_same_inbound_url_and_the_old_ones_stop() throws Exception {
        JsonNode connection = connect("email-status", Map.of("secret", OLD));
        String path = providers() + "/" + connection.get("id").asText();
        assertThat(emailStatus(connection, OLD, "m-before")).isEqualTo(200);

        Api.Response changed = operator.patch(path, Map.of("credentials", Map.of("secret", NEW)));
        assertThat(changed.status()).as(changed.text()).isEqualTo(200);
        assertThat(changed.json().get("inboundUrl")).isEqualTo(connection.get("inboundUrl"));
        assertThat(changed.json().get("createdAt")).isEqualTo(connection.get("createdAt"));
        assertThat(Instant.parse(changed.json().get("updatedAt").asText()))
                .isAfter(Instant.parse(connection.get("createdAt").asText()));
        assertThat(changed.json().get("previousCredentialsValidUntil").isNull()).isTrue();
        assertThat(changed.json().has("secret")).as("a secret the client chose is not shown back").isFalse();
        assertThat(changed.text()).doesNotContain(NEW).doesNotContain(OLD);

        assertThat(emailStatus(connection, NEW, "m-new")).isEqualTo(200);
        assertThat(emailStatus(connection, OLD, "m-old")).as("the replaced secret, no grace period").isEqualTo(401);
        assertThat(stored(connection)).isEqualTo(2);

        JsonNode one = operator.get(path).json();
        assertThat(one.get("credentialNames")).hasSize(1);
        assertThat(one.get("credentialNames").get(0).asText()).isEqualTo("secret");
        assertThat(one.get("updatedAt")).isEqualTo(changed.json().get("updatedAt"));
        assertThat(operator.get(providers()).json().get(0)).isEqualTo(one);
    }

    @Test
    void during_a_grace_period_both_verify_and_after_it_the_old_ones_are_refused() throws Exception {
        JsonNode connection = connect("email-status", Map.of("secret", OLD));
        String path = providers() + "/" + connection.get("id").asText();

        Api.Response changed = operator.patch(path, Map.of("credentials", Map.of("secret", NEW),
                "gracePeriodSeconds", 3600));
        assertThat(changed.status()).as(changed.text()).isEqualTo(200);
        assertThat(Instant.parse(changed.json().get("previousCredentialsValidUntil").asText()))
                .isCloseTo(Instant.now().plusSeconds(3600), within(Duration.ofMinutes(1)));
        assertThat(emailStatus(connection, NEW, "m-new")).isEqualTo(200);
        assertThat(emailStatus(connection, OLD, "m-old")).as("the replaced secret, within its grace period")
                .isEqualTo(200);
        assertThat(emailStatus(connection, "forged-secret-0123456789ab", "m-forged")).isEqualTo(401);

        // the grace period over (as if an hour had passed)
        db.update("UPDATE provider_connections SET previous_valid_until = ? WHERE id = ?",
                java.sql.Timestamp.from(Instant.now().minusSeconds(1)), connection.get("id").asText());
        assertThat(emailStatus(connection, OLD, "m-late")).as("the replaced secret, after its grace period")
                .isEqualTo(401);
        assertThat(emailStatus(connection, NEW, "m-new-2")).isEqualTo(200);
        assertThat(operator.get(path).json().get("previousCredentialsValidUntil").isNull()).isTrue();
        assertThat(stored(connection)).isEqualTo(3);
    }

    @Test
    void a_change_during_a_grace_period_ends_it() throws Exception {
        JsonNode connection = connect("email-status", Map.of("secret", OLD));
        String path = providers() + "/" + connection.get("id").asText();
        String third = "third-secret-0123456789abcd";
        assertThat(operator.patch(path, Map.of("credentials", Map.of("secret", NEW), "gracePeriodSeconds", 3600))
                .status()).isEqualTo(200);
        assertThat(operator.patch(path, Map.of("credentials", Map.of("secret", third), "gracePeriodSeconds", 3600))
                .status()).isEqualTo(200);
        assertThat(emailStatus(connection, third, "m-3")).isEqualTo(200);
        assertThat(emailStatus(connection, NEW, "m-2")).as("the one just replaced").isEqualTo(200);
        assertThat(emailStatus(connection, OLD, "m-1")).as("the one replaced before").isEqualTo(401);

        assertThat(operator.patch(path, Map.of("credentials", Map.of("secret", OLD))).status()).isEqualTo(200);
        assertThat(emailStatus(connection, third, "m-3b")).as("no grace period: the replaced one stops at once")
                .isEqualTo(401);
        assertThat(emailStatus(connection, NEW, "m-2b")).isEqualTo(401);
    }

    @Test
    void hookposts_own_scheme_given_no_secret_gets_a_new_one_shown_once() throws Exception {
        JsonNode connection = connect("email-status", Map.of());
        String first = connection.get("secret").asText();
        String path = providers() + "/" + connection.get("id").asText();

        Api.Response changed = operator.patch(path, Map.of("credentials", Map.of()));
        assertThat(changed.status()).as(changed.text()).isEqualTo(200);
        String second = changed.json().get("secret").asText();
        assertThat(second).startsWith("whsec_").isNotEqualTo(first);
        assertThat(operator.get(path).json().has("secret")).as("shown once").isFalse();
        assertThat(emailStatus(connection, second, "m-second")).isEqualTo(200);
        assertThat(emailStatus(connection, first, "m-first")).isEqualTo(401);
    }

    @Test
    void a_meta_verify_token_replaced_with_a_grace_period_still_answers_the_handshake() throws Exception {
        JsonNode connection = connect("meta", Map.of("appSecret", "meta-app-secret", "verifyToken", "verify-old"));
        String path = providers() + "/" + connection.get("id").asText();
        assertThat(operator.patch(path, Map.of("credentials", Map.of("appSecret", "meta-app-secret-2",
                "verifyToken", "verify-new"), "gracePeriodSeconds", 600)).status()).isEqualTo(200);
        for (String token : List.of("verify-new", "verify-old")) {
            HttpResponse<String> handshake = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + connection.get("inboundPath").asText() + "?hub.mode=subscribe&hub.verify_token=" + token
                    + "&hub.challenge=42")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(handshake.statusCode()).as(token).isEqualTo(200);
            assertThat(handshake.body()).isEqualTo("42");
        }
        assertThat(operator.get(path).json().get("credentialNames").toString())
                .isEqualTo("[\"appSecret\",\"verifyToken\"]");
    }

    @Test
    void long_basic_auth_credentials_replaced_by_a_key_still_verify_and_are_asked_for_during_the_grace_period()
            throws Exception {
        // each value as long as allowed, quotes that JSON escapes: the stored credentials over 4,000 characters
        String user = "\"".repeat(1000);
        String password = "\"".repeat(999) + "p";
        JsonNode connection = connect("sendgrid-inbound-parse", Map.of("username", user, "password", password));
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("EC");
        generator.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        String key = java.util.Base64.getEncoder().encodeToString(generator.generateKeyPair().getPublic().getEncoded());
        Api.Response changed = operator.patch(providers() + "/" + connection.get("id").asText(),
                Map.of("credentials", Map.of("publicKey", key), "gracePeriodSeconds", 600));
        assertThat(changed.status()).as(changed.text()).isEqualTo(200);

        byte[] mail = ("--b\r\nContent-Disposition: form-data; name=\"to\"\r\n\r\nsupport@example.com\r\n--b--\r\n")
                .getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder post = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + connection.get("inboundPath").asText()))
                .header("Content-Type", "multipart/form-data; boundary=b")
                .POST(HttpRequest.BodyPublishers.ofByteArray(mail));
        HttpResponse<String> unasked = http.send(post.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unasked.statusCode()).isEqualTo(401);
        assertThat(unasked.headers().firstValue("WWW-Authenticate")).as("the replaced basic auth is still valid")
                .hasValueSatisfying(challenge -> assertThat(challenge).startsWith("Basic "));
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
        assertThat(http.send(post.header("Authorization", basic).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).as("the replaced basic auth, in its grace period").isEqualTo(200);
    }

    @Test
    void a_change_sent_again_with_its_idempotency_key_gets_the_first_answer_and_its_secret() {
        JsonNode connection = connect("email-status", Map.of());
        String path = providers() + "/" + connection.get("id").asText();
        Map<String, String> key = Map.of("Idempotency-Key", "rotate-" + System.nanoTime());
        Api.Response first = operator.send("PATCH", path, Map.of("credentials", Map.of()), key);
        assertThat(first.status()).as(first.text()).isEqualTo(200);
        Api.Response again = operator.send("PATCH", path, Map.of("credentials", Map.of()), key);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(again.json().get("secret")).as("the secret the first answer showed, still the one")
                .isEqualTo(first.json().get("secret"));
        assertProblem(operator.send("PATCH", path, Map.of("credentials", Map.of(), "gracePeriodSeconds", 5), key), 422,
                "Idempotency-Key");
    }

    @Test
    void bad_changes_another_accounts_connection_and_portal_sessions_change_nothing() throws Exception {
        JsonNode connection = connect("twilio", Map.of("authToken", "tw-token-0123456789"));
        JsonNode own = connect("email-status", Map.of("secret", OLD));
        String path = providers() + "/" + connection.get("id").asText();
        String ownPath = providers() + "/" + own.get("id").asText();
        assertProblem(operator.patch(path, Map.of()), 400, "'credentials' is required");
        assertProblem(operator.patch(path, Map.of("credentials", Map.of())), 400, "authToken");
        assertProblem(operator.patch(path, Map.of("credentials", Map.of("authToken", "t", "secret", "x"))), 400,
                "'credentials.secret' is not used by twilio");
        assertProblem(operator.patch(path, Map.of("credentials", Map.of("authToken", " "))), 400, "1 to 1000");
        assertProblem(operator.patch(path, Map.of("credentials", Map.of("authToken", "t"), "gracePeriodSeconds", -1)),
                400, "gracePeriodSeconds");
        assertProblem(operator.patch(path, Map.of("credentials", Map.of("authToken", "t"),
                "gracePeriodSeconds", 604_801)), 400, "gracePeriodSeconds");
        assertProblem(operator.patch(path, Map.of("credentials", Map.of("authToken", "t"), "provider", "meta")), 400,
                "provider");
        assertProblem(operator.patch(ownPath, Map.of("credentials", Map.of("secret", "short"))), 400,
                "at least 24 characters");
        assertProblem(operator.patch(providers() + "/prv_unknown", Map.of("credentials", Map.of("authToken", "t"))),
                404, "No provider connection 'prv_unknown'");
        assertProblem(operator.get(providers() + "/prv_unknown"), 404, "No provider connection 'prv_unknown'");

        String other = "acct-other-" + System.nanoTime();
        assertThat(operator.post("/api/v1/accounts", Map.of("name", "Other", "id", other)).status()).isEqualTo(201);
        String theirPath = "/api/v1/accounts/" + other + "/providers/" + own.get("id").asText();
        assertProblem(operator.patch(theirPath, Map.of("credentials", Map.of("secret", NEW))), 404,
                "No provider connection");
        assertProblem(operator.get(theirPath), 404, "No provider connection");
        Api portal = operator.withKey(operator.post("/api/v1/accounts/" + account + "/portal-access", Map.of())
                .json().get("token").asText());
        assertProblem(portal.patch(ownPath, Map.of("credentials", Map.of("secret", NEW))), 403, "portal session");
        assertProblem(portal.get(ownPath), 403, "portal session");

        assertThat(emailStatus(own, OLD, "m-kept")).as("the secret is what it was").isEqualTo(200);
        assertThat(operator.get(ownPath).json().get("updatedAt")).isEqualTo(own.get("updatedAt"));
        assertThat(operator.delete(ownPath).status()).isEqualTo(204);
        assertProblem(operator.patch(ownPath, Map.of("credentials", Map.of("secret", NEW))), 404,
                "No provider connection");
        assertProblem(operator.get(ownPath), 404, "No provider connection");
    }
}

package io.hookpost.ops;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.standardwebhooks.Webhook;
import io.hookpost.support.Api;
import io.hookpost.support.Hmac;
import io.hookpost.support.HookpostProcess;
import io.hookpost.support.HookpostTest;
import io.hookpost.support.TestReceiver;
import io.hookpost.support.TestReceiver.Received;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * With {@code hookpost.security.encryption-key} set, a Hookpost of its own (a separate JVM on its embedded defaults):
 * endpoint secrets and provider credentials reach the database sealed, everything that uses them still works (a
 * Standard Webhooks library verifies the POSTs, old and new secret during a rotation; a provider callback verifies),
 * and a start without the key refuses to go on rather than sign with what it cannot read.
 */
class SealedSecretsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    @AutoClose
    private HookpostProcess hookpost;
    @AutoClose
    private TestReceiver receiver;
    @AutoClose
    private TestReceiver tokenServer;

    @Test
    void secrets_are_stored_sealed_still_sign_and_verify_and_a_start_without_the_key_is_refused() throws Exception {
        String key = SecretsAtRestTest.newKey();
        String keyId = SecretsAtRestTest.keyId(key);
        hookpost = HookpostProcess.fresh("sealed-secrets-tests", List.of("--hookpost.security.encryption-key=" + key));
        receiver = new TestReceiver();
        tokenServer = new TestReceiver();
        tokenServer.answer(request -> new TestReceiver.Reply(200, Map.of("Content-Type", "application/json"),
                "{\"access_token\":\"oauth-token-1\",\"expires_in\":3600}".getBytes(StandardCharsets.UTF_8)));
        String clientSecret = "oauth-client-secret-0123456789";
        Api api = new Api(hookpost.port(), HookpostTest.ADMIN_TOKEN);
        hookpost.start();

        assertThat(api.post("/api/v1/accounts", Map.of("id", "acme", "name", "Acme")).status()).isEqualTo(201);
        String endpoints = "/api/v1/accounts/acme/endpoints";
        Api.Response standard = api.post(endpoints, Map.of("url", receiver.url("/standard"), "oauth", Map.of(
                "tokenUrl", tokenServer.url("/token"), "clientId", "hookpost", "clientSecret", clientSecret)));
        assertThat(standard.status()).as(standard.text()).isEqualTo(201);
        String standardId = standard.json().get("id").asText();
        String first = standard.json().get("secret").asText();
        Api.Response rotated = api.post(endpoints + "/" + standardId + "/rotate-secret", Map.of("gracePeriodSeconds", 3600));
        assertThat(rotated.status()).as(rotated.text()).isEqualTo(200);
        String second = rotated.json().get("secret").asText();
        assertThat(second).startsWith("whsec_").isNotEqualTo(first);
        Api.Response hex = api.post(endpoints, Map.of("url", receiver.url("/hex"), "signatureScheme", "hmac-sha256-hex",
                "headers", Map.of("Authorization", "Bearer receiver-token-0123456789")));
        assertThat(hex.status()).as(hex.text()).isEqualTo(201);
        String hexSecret = hex.json().get("secret").asText();
        Api.Response connection = api.post("/api/v1/accounts/acme/providers", Map.of("provider", "email-status",
                "credentials", Map.of()));
        assertThat(connection.status()).as(connection.text()).isEqualTo(201);
        String providerSecret = connection.json().get("secret").asText();

        assertThat(api.get(endpoints + "/" + standardId + "/secret").json().get("secret").asText())
                .as("the account admin is shown the secret itself").isEqualTo(second);
        assertThat(api.get(endpoints).json().findValuesAsText("keyType")).containsOnly("symmetric");

        assertThat(api.post("/api/v1/accounts/acme/events", Map.of("id", "evt-1", "type", "host.offline",
                "data", Map.of("host", "db-1"))).status()).isEqualTo(202);
        Map<String, Received> posts = new HashMap<>();
        for (int i = 0; i < 2; i++) {
            Received post = receiver.next(WAIT);
            assertThat(post).as("both endpoints get the event").isNotNull();
            posts.put(post.path(), post);
        }
        Received signed = posts.get("/standard");
        for (String secret : List.of(first, second)) {
            assertThatNoException().as("a Standard Webhooks library verifies it with %s secret",
                    secret.equals(first) ? "the replaced" : "the new").isThrownBy(() ->
                    new Webhook(secret).verify(signed.bodyText(), new HashMap<>(signed.headers())));
        }
        assertThat(signed.header("Authorization")).as("a token asked for with the sealed client's secret")
                .isEqualTo("Bearer oauth-token-1");
        assertThat(new String(Base64.getDecoder().decode(tokenServer.next(WAIT).header("Authorization").substring(6)),
                StandardCharsets.UTF_8)).isEqualTo("hookpost:" + clientSecret);
        Received hexSigned = posts.get("/hex");
        assertThat(hexSigned.header("X-Webhook-Signature"))
                .isEqualTo("sha256=" + Hmac.hex("HmacSHA256", hexSecret, hexSigned.body()));
        assertThat(hexSigned.header("Authorization")).as("the endpoint's custom header")
                .isEqualTo("Bearer receiver-token-0123456789");
        assertThat(api.get(endpoints + "/" + hex.json().get("id").asText()).json().get("headers").get("Authorization")
                .asText()).isEqualTo("Bearer receiver-token-0123456789");

        byte[] status = "{\"messageId\":\"m-1\",\"event\":\"delivery\",\"recipient\":\"ana@example.com\",\"timestamp\":\"2026-11-01T10:00:00Z\"}"
                .getBytes(StandardCharsets.UTF_8);
        URI inbound = URI.create("http://127.0.0.1:" + hookpost.port() + connection.json().get("inboundPath").asText());
        HttpClient http = HttpClient.newHttpClient();
        assertThat(http.send(HttpRequest.newBuilder(inbound).header("Content-Type", "application/json")
                .header("X-Webhook-Signature", "sha256=" + Hmac.hex("HmacSHA256", providerSecret, status))
                .POST(HttpRequest.BodyPublishers.ofByteArray(status)).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).as("a callback signed with the connection's secret").isEqualTo(200);
        assertThat(http.send(HttpRequest.newBuilder(inbound).header("Content-Type", "application/json")
                .header("X-Webhook-Signature", "sha256=" + Hmac.hex("HmacSHA256", "not-" + providerSecret, status))
                .POST(HttpRequest.BodyPublishers.ofByteArray(status)).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).as("one signed with another").isEqualTo(401);
        Api.Response changed = api.patch("/api/v1/accounts/acme/providers/" + connection.json().get("id").asText(),
                Map.of("credentials", Map.of(), "gracePeriodSeconds", 3600));
        assertThat(changed.status()).as(changed.text()).isEqualTo(200);
        String providerSecret2 = changed.json().get("secret").asText();
        for (String secret : List.of(providerSecret, providerSecret2)) {
            assertThat(http.send(HttpRequest.newBuilder(inbound).header("Content-Type", "application/json")
                    .header("X-Webhook-Signature", "sha256=" + Hmac.hex("HmacSHA256", secret, status))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(status)).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).as("a callback signed with the new or, in the grace period, the replaced secret")
                    .isEqualTo(200);
        }
        hookpost.stop();

        List<String> stored = new ArrayList<>();
        try (Connection db = hookpost.database(); Statement query = db.createStatement()) {
            try (ResultSet rows = query.executeQuery("SELECT secret, previous_secret, headers, oauth FROM endpoints")) {
                while (rows.next()) {
                    stored.add(rows.getString(1));
                    stored.add(rows.getString(2));
                    stored.add(rows.getString(3));
                    stored.add(rows.getString(4));
                }
            }
            try (ResultSet rows = query.executeQuery("SELECT credentials, previous_credentials"
                    + " FROM provider_connections")) {
                while (rows.next()) {
                    stored.add(rows.getString(1));
                    stored.add(rows.getString(2));
                }
            }
        }
        assertThat(stored).as("two current secrets, one replaced, one endpoint's headers, one OAuth client, one"
                + " connection's credentials and those they replaced").filteredOn(s -> s != null).hasSize(7).allSatisfy(value -> assertThat(value).startsWith("hpenc:v1:" + keyId + ":"));
        assertThat(String.join(" ", stored.stream().map(String::valueOf).toList())).doesNotContain("receiver-token");
        assertThat(String.join(" ", stored.stream().map(String::valueOf).toList())).doesNotContain(clientSecret);
        for (String secret : List.of(first, second, hexSecret, providerSecret, providerSecret2)) {
            assertThat(String.join(" ", stored.stream().map(String::valueOf).toList())).doesNotContain(secret)
                    .doesNotContain(secret.substring(secret.indexOf('_') + 1, secret.indexOf('_') + 17));
        }

        // a sealed secret changed in the database (a damaged restore, say) does not open: the account still lists its
        // endpoints, is told what to do, and a rotation replaces it
        String hexId = hex.json().get("id").asText();
        try (Connection db = hookpost.database(); Statement update = db.createStatement()) {
            for (String column : List.of("secret", "headers")) {
                assertThat(update.executeUpdate("UPDATE endpoints SET " + column + " = CONCAT(SUBSTRING(" + column
                        + ", 1, 30), CASE WHEN SUBSTRING(" + column + ", 31, 1) = 'A' THEN 'B' ELSE 'A' END, SUBSTRING("
                        + column + ", 32)) WHERE id = '" + hexId + "'")).isEqualTo(1);
            }
        }
        hookpost.start();
        JsonNode listed = api.get(endpoints).json();
        assertThat(listed.findValues("keyType").stream().map(JsonNode::isNull).toList())
                .as("the endpoint whose secret does not open shows no key type; the others theirs")
                .containsExactlyInAnyOrder(false, true);
        assertThat(api.get(endpoints + "/" + hexId).json().get("headers").isNull())
                .as("nor headers, whose stored value does not open either").isTrue();
        Api.Response renamed = api.patch(endpoints + "/" + hexId, Map.of("description", "changed"));
        assertThat(renamed.status()).as(renamed.text()).isEqualTo(200);
        Api.Response reheaded = api.patch(endpoints + "/" + hexId, Map.of("headers",
                Map.of("Authorization", "Bearer receiver-token-new")));
        assertThat(reheaded.status()).as(reheaded.text()).isEqualTo(200);
        assertThat(reheaded.json().get("headers").get("Authorization").asText()).isEqualTo("Bearer receiver-token-new");
        Api.Response unreadable = api.get(endpoints + "/" + hexId + "/secret");
        assertThat(unreadable.status()).isEqualTo(409);
        assertThat(unreadable.contentType()).startsWith("application/problem+json");
        assertThat(unreadable.json().get("detail").asText()).contains("Rotate it (POST …/rotate-secret)");
        Api.Response replaced = api.post(endpoints + "/" + hexId + "/rotate-secret", Map.of());
        assertThat(replaced.status()).as(replaced.text()).isEqualTo(200);
        String newHexSecret = replaced.json().get("secret").asText();
        assertThat(api.post("/api/v1/accounts/acme/events", Map.of("id", "evt-2", "type", "host.offline",
                "data", Map.of("host", "db-2"))).status()).isEqualTo(202);
        Received secondEvent = null;
        while (secondEvent == null) { // the callback's message.delivered events come first
            Received post = receiver.next(WAIT);
            assertThat(post).as("the second event reaches the endpoint").isNotNull();
            secondEvent = post.path().equals("/hex") && post.bodyText().contains("\"evt-2\"") ? post : null;
        }
        assertThat(secondEvent.header("X-Webhook-Signature"))
                .isEqualTo("sha256=" + Hmac.hex("HmacSHA256", newHexSecret, secondEvent.body()));
        assertThat(secondEvent.header("Authorization")).isEqualTo("Bearer receiver-token-new");
        hookpost.stop();

        HookpostProcess keyless = new HookpostProcess(hookpost.dataDir(), hookpost.port(), List.of());
        hookpost = keyless;
        keyless.launch();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (keyless.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(keyless.isAlive()).as("a start without the key stops").isFalse();
        assertThat(keyless.output()).contains("sealed with encryption key " + keyId)
                .contains("(none is set): set the key it was sealed with").doesNotContain(key);
    }
}

package io.hookpost.outbound;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.standardwebhooks.Webhook;
import io.hookpost.support.HookpostTest;
import io.hookpost.support.TestReceiver.Received;
import org.junit.jupiter.api.Test;

import static io.hookpost.outbound.Ed25519KeysTest.b64;
import static io.hookpost.outbound.Ed25519KeysTest.concat;
import static io.hookpost.outbound.Ed25519KeysTest.jdkKeyPair;
import static io.hookpost.outbound.Ed25519KeysTest.jdkVerifies;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * Endpoints that sign with an Ed25519 key pair (Standard Webhooks' {@code v1a}): receivers get the public key only,
 * and verify each POST with it (the JDK's Ed25519 here, not BouncyCastle's that signed).
 */
class Ed25519SignaturesTest extends HookpostTest {

    @Test
    void an_ed25519_endpoint_signs_v1a_and_shows_only_its_public_key() throws Exception {
        JsonNode created = createEndpoint(Map.of("url", receiver.url("/asymmetric"), "keyType", "ed25519"));
        String id = created.get("id").asText();
        String publicKey = created.get("secret").asText();
        assertThat(publicKey).startsWith("whpk_");
        assertThat(created.get("keyType").asText()).isEqualTo("ed25519");
        JsonNode secret = operator.get(endpoints() + "/" + id + "/secret").json();
        assertThat(secret.get("secret").asText()).isEqualTo(publicKey);
        assertThat(secret.get("keyType").asText()).isEqualTo("ed25519");
        String privateKey = db.queryForObject("SELECT secret FROM endpoints WHERE id = ?", String.class, id);
        assertThat(privateKey).startsWith("whsk_");
        for (String path : List.of(endpoints(), endpoints() + "/" + id, endpoints() + "/" + id + "/secret")) {
            assertThat(operator.get(path).text()).as(path).doesNotContain(privateKey.substring("whsk_".length(), 30));
        }

        publish("{\"type\":\"host.offline\",\"data\":{\"host\":\"caf\u00e9-\uD83D\uDE80\",\"load\":1.10}}");
        Received post = receiver.next(WAIT);

        String header = post.header("webhook-signature");
        assertThat(header).startsWith("v1a,").doesNotContain(" ");
        assertThat(jdkVerifies(publicKey, signed(post, post.bodyText()), header.substring(4))).isTrue();
        assertThat(jdkVerifies(publicKey, signed(post, post.bodyText().replace("1.10", "1.11")),
                header.substring(4))).as("a body changed by one character").isFalse();
        String otherKey = createEndpoint(Map.of("url", receiver.url("/other"), "keyType", "ed25519",
                "eventTypes", List.of("none.such"))).get("secret").asText();
        assertThat(jdkVerifies(otherKey, signed(post, post.bodyText()), header.substring(4)))
                .as("another endpoint's public key").isFalse();
        assertThat(post.header("X-Webhook-Event")).isEqualTo("host.offline");
    }

    @Test
    void a_key_pair_of_the_clients_own_signs_and_keys_not_fit_to_sign_change_nothing() throws Exception {
        byte[][] pair = jdkKeyPair();
        byte[] seed = pair[0];
        byte[] publicHalf = pair[1];
        // as libsodium, Go and TweetNaCl hold a private key: the seed, then the public key
        String whsk = "whsk_" + b64(concat(seed, publicHalf));
        JsonNode created = createEndpoint(Map.of("url", receiver.url("/own-key"), "secret", whsk));
        assertThat(created.get("secret").asText()).isEqualTo("whpk_" + b64(publicHalf));
        assertThat(created.get("keyType").asText()).isEqualTo("ed25519");
        JsonNode fromSeed = createEndpoint(Map.of("url", receiver.url("/seed-only"), "eventTypes", List.of("none.such"),
                "secret", "whsk_" + b64(seed)));
        assertThat(fromSeed.get("secret").asText()).as("the seed alone").isEqualTo("whpk_" + b64(publicHalf));

        int before = count("SELECT COUNT(*) FROM endpoints WHERE account_id = ?", account);
        byte[] otherPublic = jdkKeyPair()[1];
        assertProblem(post(Map.of("url", receiver.url("/x"), "secret", "whsk_" + b64(concat(seed, otherPublic)))),
                400, "not the public key of its seed");
        assertProblem(post(Map.of("url", receiver.url("/x"), "secret", "whsk_" + b64(Arrays.copyOf(seed, 31)))),
                400, "31 bytes");
        assertProblem(post(Map.of("url", receiver.url("/x"), "secret", whsk, "keyType", "symmetric")), 400,
                "'keyType' is symmetric but 'secret' is an ed25519 key");
        assertProblem(post(Map.of("url", receiver.url("/x"), "keyType", "rsa")), 400, "'keyType' must be");
        assertProblem(post(Map.of("url", receiver.url("/x"), "keyType", "ed25519", "signatureScheme", "hmac-sha256-hex")),
                400, "only with signatureScheme standard-webhooks");
        assertProblem(post(Map.of("url", receiver.url("/x"), "secret", whsk, "signatureScheme", "none")), 400,
                "only with signatureScheme standard-webhooks");
        assertThat(count("SELECT COUNT(*) FROM endpoints WHERE account_id = ?", account)).isEqualTo(before);

        publish(Map.of("type", "host.offline", "data", Map.of("host", "web-1")));
        Received post = receiver.next(WAIT);
        assertThat(post.path()).isEqualTo("/own-key");
        assertThat(jdkVerifies("whpk_" + b64(publicHalf), signed(post, post.bodyText()),
                post.header("webhook-signature").substring(4))).isTrue();
    }

    @Test
    void a_rotation_with_grace_from_a_shared_secret_to_a_key_pair_signs_with_both_then_keeps_the_key_type()
            throws Exception {
        JsonNode created = createEndpoint(Map.of("url", receiver.url("/switching")));
        String path = endpoints() + "/" + created.get("id").asText();
        String oldSecret = created.get("secret").asText();
        assertThat(created.get("keyType").asText()).isEqualTo("symmetric");

        JsonNode rotated = operator.post(path + "/rotate-secret", Map.of("gracePeriodSeconds", 3600,
                "keyType", "ed25519")).json();
        String publicKey = rotated.get("secret").asText();
        assertThat(publicKey).startsWith("whpk_");
        assertThat(rotated.get("keyType").asText()).isEqualTo("ed25519");
        assertThat(rotated.get("previousSecretExpiresAt").isNull()).isFalse();

        publish(Map.of("type", "host.offline", "data", Map.of("host", "web-1")));
        Received both = receiver.next(WAIT);
        String[] signatures = both.header("webhook-signature").split(" ");
        assertThat(signatures).hasSize(2);
        assertThat(signatures[0]).startsWith("v1a,");
        assertThat(jdkVerifies(publicKey, signed(both, both.bodyText()), signatures[0].substring(4))).isTrue();
        assertThatNoException().as("the old shared secret, by Standard Webhooks' library")
                .isThrownBy(() -> new Webhook(oldSecret).verify(both.bodyText(), new HashMap<>(both.headers())));

        // rotated again without a key type: a new key pair; without grace, it alone signs
        String next = operator.post(path + "/rotate-secret", Map.of()).json().get("secret").asText();
        assertThat(next).startsWith("whpk_").isNotEqualTo(publicKey);
        publish(Map.of("type", "host.offline", "data", Map.of("host", "web-2")));
        Received one = receiver.next(WAIT);
        assertThat(one.header("webhook-signature")).startsWith("v1a,").doesNotContain(" ");
        assertThat(jdkVerifies(next, signed(one, one.bodyText()),
                one.header("webhook-signature").substring(4))).isTrue();
        assertThat(jdkVerifies(publicKey, signed(one, one.bodyText()),
                one.header("webhook-signature").substring(4))).as("the replaced key pair").isFalse();
    }

    @Test
    void an_ed25519_endpoint_changes_to_an_hmac_scheme_only_after_a_rotation_to_a_shared_secret() throws Exception {
        JsonNode created = createEndpoint(Map.of("url", receiver.url("/to-hmac"), "keyType", "ed25519"));
        String path = endpoints() + "/" + created.get("id").asText();

        assertProblem(operator.patch(path, Map.of("signatureScheme", "hmac-sha256-hex")), 400,
                "rotate to a symmetric secret first");
        assertProblem(operator.patch(path, Map.of("keyType", "symmetric")), 400, "rotate-secret");
        assertThat(operator.get(path).json().get("signatureScheme").asText()).isEqualTo("standard-webhooks");
        assertThat(operator.get(path).json().get("keyType").asText()).isEqualTo("ed25519");

        String shared = operator.post(path + "/rotate-secret", Map.of("keyType", "symmetric")).json()
                .get("secret").asText();
        assertThat(shared).startsWith("whsec_");
        assertThat(operator.patch(path, Map.of("signatureScheme", "hmac-sha256-hex")).status()).isEqualTo(200);
        publish(Map.of("type", "host.offline", "data", Map.of("host", "web-1")));
        Received post = receiver.next(WAIT);
        assertThat(post.header("X-Webhook-Signature"))
                .isEqualTo(WebhookSigner.hex(shared, post.bodyText().getBytes(StandardCharsets.UTF_8)));
        assertProblem(operator.post(path + "/rotate-secret", Map.of("keyType", "ed25519")), 400,
                "only with signatureScheme standard-webhooks");
        assertThat(operator.get(path + "/secret").json().get("secret").asText()).isEqualTo(shared);
    }

    private String endpoints() {
        return "/api/v1/accounts/" + account + "/endpoints";
    }

    private io.hookpost.support.Api.Response post(Map<String, Object> endpoint) {
        return operator.post(endpoints(), endpoint);
    }

    /** What a v1a signature covers: {@code webhook-id.webhook-timestamp.body}. */
    private static byte[] signed(Received post, String body) {
        return (post.header("webhook-id") + "." + post.header("webhook-timestamp") + "." + body)
                .getBytes(StandardCharsets.UTF_8);
    }
}

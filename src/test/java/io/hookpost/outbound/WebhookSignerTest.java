package io.hookpost.outbound;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.standardwebhooks.Webhook;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

class WebhookSignerTest {
    // the Standard Webhooks specification's published test vector
    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final String MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    static final long TIMESTAMP = 1614265330L;
    static final String PAYLOAD = "{\"test\": 2432232314}";

    @Test
    void standard_webhooks_signature_matches_the_published_test_vector() {
        String signature = WebhookSigner.standardWebhooks(List.of(SECRET), MSG_ID, TIMESTAMP,
                PAYLOAD.getBytes(StandardCharsets.UTF_8));
        assertThat(signature).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void during_a_rotation_each_valid_secret_signs_and_the_official_library_accepts_either() throws Exception {
        String newSecret = WebhookSigner.newSecret();
        long now = System.currentTimeMillis() / 1000;
        byte[] body = "{\"id\":\"evt_1\",\"data\":{}}".getBytes(StandardCharsets.UTF_8);
        String signature = WebhookSigner.standardWebhooks(List.of(newSecret, SECRET), MSG_ID, now, body);

        assertThat(signature.split(" ")).hasSize(2).allMatch(s -> s.startsWith("v1,"));
        Map<String, List<String>> headers = Map.of("webhook-id", List.of(MSG_ID),
                "webhook-timestamp", List.of(Long.toString(now)), "webhook-signature", List.of(signature));
        String payload = new String(body, StandardCharsets.UTF_8);
        assertThatNoException().isThrownBy(() -> new Webhook(newSecret).verify(payload, headers));
        assertThatNoException().isThrownBy(() -> new Webhook(SECRET).verify(payload, headers));
    }

    @Test
    void hex_scheme_is_sha256_prefix_and_hex_hmac_keyed_by_the_secret_string() throws Exception {
        byte[] body = "{\"event\":\"host.offline\"}".getBytes(StandardCharsets.UTF_8);
        String expected = "sha256=" + HexFormat.of().formatHex(jdkHmac(SECRET.getBytes(StandardCharsets.UTF_8), body));
        assertThat(WebhookSigner.hex(SECRET, body)).isEqualTo(expected);
    }

    @Test
    void base64_scheme_is_base64_hmac_of_the_whole_body() throws Exception {
        byte[] body = "{\"action\":\"created\"}".getBytes(StandardCharsets.UTF_8);
        String expected = Base64.getEncoder().encodeToString(jdkHmac(SECRET.getBytes(StandardCharsets.UTF_8), body));
        assertThat(WebhookSigner.base64(SECRET, body)).isEqualTo(expected);
    }

    @Test
    void new_secrets_have_the_documented_shape() {
        String secret = WebhookSigner.newSecret();
        assertThat(secret).startsWith("whsec_");
        assertThat(WebhookSigner.isValidSecret(secret)).isTrue();
        assertThat(WebhookSigner.isValidSecret("whsec_short")).isFalse();
        assertThat(WebhookSigner.isValidSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")).isFalse();
    }

    static byte[] jdkHmac(byte[] key, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(body);
    }
}

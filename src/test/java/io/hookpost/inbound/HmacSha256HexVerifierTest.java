package io.hookpost.inbound;

import java.time.Instant;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

import static io.hookpost.inbound.Callbacks.BINARY;
import static io.hookpost.inbound.Callbacks.assertRefused;
import static io.hookpost.inbound.Callbacks.assertRefusedBecause;
import static io.hookpost.inbound.Callbacks.jdkHmac;
import static io.hookpost.inbound.Callbacks.oneByteChanged;
import static io.hookpost.inbound.Callbacks.reencoded;
import static io.hookpost.inbound.Callbacks.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class HmacSha256HexVerifierTest {
    static final String URL = "https://hooks.example.com/inbound/whatsapp/con_1";
    static final Instant NOW = Instant.now();
    static final String APP_SECRET = "6f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e";
    static final String HOOKPOST_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    final HmacSha256HexVerifier meta = HmacSha256HexVerifier.meta();
    final HmacSha256HexVerifier hookpost = HmacSha256HexVerifier.hookpost();

    static InboundRequest signed(String header, byte[] body, String signature) {
        return Callbacks.post(URL, "application/json", body, header, signature);
    }

    static String independentSignature(String secret, byte[] body) throws Exception {
        return "sha256=" + HexFormat.of().formatHex(jdkHmac("HmacSHA256", secret, body));
    }

    @Test
    void the_published_x_hub_signature_256_vector_verifies() {
        // X-Hub-Signature-256 is GitHub's scheme, which Meta reuses byte for byte; this is the test vector GitHub
        // publishes in "Validating webhook deliveries" (github/docs, content/webhooks/using-webhooks/
        // validating-webhook-deliveries.md)
        InboundRequest request = signed("X-Hub-Signature-256", utf8("Hello, World!"),
                "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
        assertThat(meta.verify(request, new Credentials.SharedSecret("It's a Secret to Everybody"), NOW).verified()).isTrue();
        assertRefused(meta.verify(request, new Credentials.SharedSecret("It's a Secret to Everybody!"), NOW));
    }

    @Test
    void a_meta_callback_signed_with_the_app_secret_verifies() throws Exception {
        // Meta escapes non-ASCII as \\u sequences and signs exactly those bytes
        byte[] body = utf8("{\"object\":\"whatsapp_business_account\",\"entry\":[{\"changes\":[{\"value\":"
                + "{\"statuses\":[{\"id\":\"wamid.1\",\"status\":\"read\"}],\"note\":\"caf\\u00e9\"}}]}]}");
        InboundRequest request = signed("X-Hub-Signature-256", body, independentSignature(APP_SECRET, body));
        assertThat(meta.verify(request, new Credentials.SharedSecret(APP_SECRET), NOW).verified()).isTrue();
    }

    @Test
    void a_hookpost_callback_signed_with_the_connection_secret_verifies() throws Exception {
        byte[] body = utf8("{\"type\":\"bounce\",\"messageId\":\"m_1\",\"recipient\":\"a@example.com\"}");
        InboundRequest request = signed("X-Webhook-Signature", body, independentSignature(HOOKPOST_SECRET, body));
        assertThat(hookpost.verify(request, new Credentials.SharedSecret(HOOKPOST_SECRET), NOW).verified()).isTrue();
        // each verifier reads its own header only
        assertRefusedBecause(meta.verify(request, new Credentials.SharedSecret(HOOKPOST_SECRET), NOW), "X-Hub-Signature-256");
    }

    @Test
    void a_binary_body_is_verified_byte_for_byte() throws Exception {
        String signature = independentSignature(HOOKPOST_SECRET, BINARY);
        Credentials secret = new Credentials.SharedSecret(HOOKPOST_SECRET);
        assertThat(hookpost.verify(signed("X-Webhook-Signature", BINARY, signature), secret, NOW).verified()).isTrue();
        assertRefusedBecause(hookpost.verify(signed("X-Webhook-Signature", reencoded(BINARY), signature), secret, NOW),
                "does not match", HOOKPOST_SECRET);
    }

    @Test
    void forged_changed_and_unsigned_callbacks_are_refused() throws Exception {
        byte[] body = utf8("{\"entry\":[]}");
        Credentials secret = new Credentials.SharedSecret(APP_SECRET);
        String signature = independentSignature(APP_SECRET, body);

        assertRefused(meta.verify(signed("X-Hub-Signature-256", body, independentSignature("other", body)), secret, NOW),
                APP_SECRET);
        assertRefused(meta.verify(signed("X-Hub-Signature-256", body, signature), new Credentials.SharedSecret("other"), NOW));
        assertRefused(meta.verify(signed("X-Hub-Signature-256", oneByteChanged(body, 2), signature), secret, NOW));
        assertRefusedBecause(meta.verify(Callbacks.post(URL, "application/json", body), secret, NOW), "missing");
        assertRefusedBecause(meta.verify(signed("X-Hub-Signature-256", body, " "), secret, NOW), "missing");
        // the bare hex without its "sha256=", a truncated one, one with a trailing byte
        assertRefused(meta.verify(signed("X-Hub-Signature-256", body, signature.substring(7)), secret, NOW));
        assertRefused(meta.verify(signed("X-Hub-Signature-256", body, signature.substring(0, 70)), secret, NOW));
        assertRefused(meta.verify(signed("X-Hub-Signature-256", body, signature + "0"), secret, NOW));
        assertRefused(meta.verify(signed("X-Hub-Signature-256", body, "sha1=" + signature.substring(7)), secret, NOW));
    }

    @Test
    void upper_case_hex_and_a_list_of_signatures_during_a_rotation_are_accepted() throws Exception {
        byte[] body = utf8("{\"type\":\"delivery\"}");
        Credentials secret = new Credentials.SharedSecret(HOOKPOST_SECRET);
        String signature = independentSignature(HOOKPOST_SECRET, body);
        assertThat(hookpost.verify(signed("X-Webhook-Signature", body, "sha256=" + signature.substring(7).toUpperCase()),
                secret, NOW).verified()).isTrue();
        // a list, as a sender may send during a rotation grace period: newest secret first
        String rotation = independentSignature("whsec_newer", body) + "," + signature;
        assertThat(hookpost.verify(signed("X-Webhook-Signature", body, rotation), secret, NOW).verified()).isTrue();
    }

    @Test
    void an_x_webhook_timestamp_is_not_checked_because_it_is_not_signed() throws Exception {
        byte[] body = utf8("{\"type\":\"open\"}");
        InboundRequest request = Callbacks.post(URL, "application/json", body,
                "X-Webhook-Signature", independentSignature(HOOKPOST_SECRET, body), "X-Webhook-Timestamp", "1");
        assertThat(hookpost.verify(request, new Credentials.SharedSecret(HOOKPOST_SECRET), NOW).verified()).isTrue();
    }

    @Test
    void a_connection_without_a_shared_secret_is_a_configuration_error() {
        assertThatIllegalArgumentException().isThrownBy(() -> meta.verify(signed("X-Hub-Signature-256", utf8("{}"), "x"),
                new Credentials.VerificationKey("AAAA"), NOW));
        assertThatIllegalArgumentException().isThrownBy(() -> new HmacSha256HexVerifier(" "));
    }
}

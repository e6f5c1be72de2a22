package io.hookpost.outbound;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import com.standardwebhooks.Webhook;
import org.junit.jupiter.api.Test;

import static io.hookpost.outbound.WebhookSignerTest.MSG_ID;
import static io.hookpost.outbound.WebhookSignerTest.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * Standard Webhooks' asymmetric keys and v1a signatures, checked against RFC 8032's test vector and the JDK's Ed25519
 * (Hookpost signs with BouncyCastle's).
 */
class Ed25519KeysTest {
    // RFC 8032, 7.1, TEST 2: a one-byte message
    private static final byte[] RFC_SEED = hex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
    private static final byte[] RFC_PUBLIC = hex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
    private static final byte[] RFC_SIGNATURE = hex("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
            + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");

    @Test
    void a_seed_gives_rfc_8032s_public_key_and_signature() {
        String key = Ed25519Keys.normalise("whsk_" + b64(RFC_SEED));

        assertThat(key).isEqualTo("whsk_" + b64(concat(RFC_SEED, RFC_PUBLIC)));
        assertThat(Ed25519Keys.publicKey(key)).isEqualTo("whpk_" + b64(RFC_PUBLIC));
        assertThat(Ed25519Keys.sign(key, new byte[0], hex("72"))).isEqualTo(RFC_SIGNATURE);
        assertThat(Ed25519Keys.normalise(key)).as("the stored form, given again").isEqualTo(key);
    }

    @Test
    void a_key_pair_the_jdk_made_is_taken_as_it_is_and_generated_keys_are_pairs_the_jdk_verifies() throws Exception {
        byte[][] pair = jdkKeyPair();
        String key = Ed25519Keys.normalise("whsk_" + b64(concat(pair[0], pair[1])));
        assertThat(Ed25519Keys.publicKey(key)).isEqualTo("whpk_" + b64(pair[1]));
        assertThat(Ed25519Keys.normalise("whsk_" + b64(pair[0]))).as("its seed alone").isEqualTo(key);

        String generated = Ed25519Keys.generate();
        assertThat(Base64.getDecoder().decode(generated.substring("whsk_".length()))).hasSize(64);
        byte[] message = "msg_1.1700000000.{}".getBytes(StandardCharsets.UTF_8);
        String signature = b64(Ed25519Keys.sign(generated, new byte[0], message));
        assertThat(jdkVerifies(Ed25519Keys.publicKey(generated), message, signature)).isTrue();
        assertThat(Ed25519Keys.generate()).isNotEqualTo(generated);
    }

    @Test
    void keys_that_are_not_ed25519_key_pairs_are_refused_by_name() throws Exception {
        byte[] seed = jdkKeyPair()[0];

        assertThatIllegalArgumentException().isThrownBy(() -> Ed25519Keys.normalise("whsk_" + b64(concat(seed, RFC_PUBLIC))))
                .withMessageContaining("not the public key of its seed");
        assertThatIllegalArgumentException().isThrownBy(() -> Ed25519Keys.normalise("whsk_" + b64(new byte[31])))
                .withMessageContaining("31 bytes");
        assertThatIllegalArgumentException().isThrownBy(() -> Ed25519Keys.normalise("whsk_not*base64"))
                .withMessageContaining("not base64");
    }

    @Test
    void the_standard_webhooks_header_signs_v1a_with_a_key_beside_v1_with_a_secret() throws Exception {
        String key = Ed25519Keys.generate();
        long now = System.currentTimeMillis() / 1000;
        byte[] body = "{\"id\":\"evt_1\",\"data\":{\"host\":\"caf\u00e9\"}}".getBytes(StandardCharsets.UTF_8);

        String header = WebhookSigner.standardWebhooks(List.of(key, SECRET), MSG_ID, now, body);

        String[] parts = header.split(" ");
        assertThat(parts).hasSize(2);
        assertThat(parts[0]).startsWith("v1a,");
        byte[] signed = (MSG_ID + "." + now + "." + new String(body, StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8);
        assertThat(jdkVerifies(Ed25519Keys.publicKey(key), signed, parts[0].substring(4))).isTrue();
        assertThat(jdkVerifies(Ed25519Keys.publicKey(Ed25519Keys.generate()), signed, parts[0].substring(4)))
                .as("another key's public half").isFalse();
        // Standard Webhooks' Java library passes over the v1a signature and verifies the v1 one
        Map<String, List<String>> headers = Map.of("webhook-id", List.of(MSG_ID),
                "webhook-timestamp", List.of(Long.toString(now)), "webhook-signature", List.of(header));
        assertThatNoException().isThrownBy(() -> new Webhook(SECRET).verify(new String(body, StandardCharsets.UTF_8),
                headers));
    }

    /** A receiver's check of a v1a signature with a whpk_ key, by the JDK's Ed25519 (not BouncyCastle's, which signed). */
    static boolean jdkVerifies(String publicKey, byte[] signed, String signature) throws GeneralSecurityException {
        // a raw Ed25519 public key behind the fixed start of its X.509 form (RFC 8410)
        byte[] x509 = concat(hex("302a300506032b6570032100"),
                Base64.getDecoder().decode(publicKey.substring("whpk_".length())));
        Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(x509)));
        verifier.update(signed);
        return verifier.verify(Base64.getDecoder().decode(signature));
    }

    /** A key pair made by the JDK: its 32-byte seed and 32-byte public key. */
    static byte[][] jdkKeyPair() throws GeneralSecurityException {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] x509 = pair.getPublic().getEncoded();
        return new byte[][] {((EdECPrivateKey) pair.getPrivate()).getBytes().orElseThrow(),
                Arrays.copyOfRange(x509, x509.length - 32, x509.length)};
    }

    static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }
}

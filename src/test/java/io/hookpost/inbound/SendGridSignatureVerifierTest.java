package io.hookpost.inbound;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Security;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import com.sendgrid.helpers.eventwebhook.EventWebhook;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.hookpost.inbound.Callbacks.BINARY;
import static io.hookpost.inbound.Callbacks.assertRefused;
import static io.hookpost.inbound.Callbacks.assertRefusedBecause;
import static io.hookpost.inbound.Callbacks.oneByteChanged;
import static io.hookpost.inbound.Callbacks.reencoded;
import static io.hookpost.inbound.Callbacks.utf8;
import static io.hookpost.inbound.SendGridSignatureVerifier.SIGNATURE_HEADER;
import static io.hookpost.inbound.SendGridSignatureVerifier.TIMESTAMP_HEADER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class SendGridSignatureVerifierTest {
    // The published vector of sendgrid-java's own test, src/test/java/com/sendgrid/helpers/eventwebhook/
    // EventWebhookTest.java: the key, signature and timestamp verbatim; the payload is the JSON its Jackson
    // ObjectMapper writes for its one event (fields in declaration order), plus the trailing CRLF it adds.
    static final String PUBLIC_KEY = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==";
    static final String SIGNATURE = "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=";
    static final String TIMESTAMP = "1600112502";
    static final String PAYLOAD = "[{\"email\":\"hello@world.com\",\"event\":\"dropped\",\"reason\":\"Bounced Address\","
            + "\"sg_event_id\":\"ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA\","
            + "\"sg_message_id\":\"LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0\","
            + "\"smtp-id\":\"<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>\",\"timestamp\":1600112492}]\r\n";
    // from the same test: another P-256 key, and a signature of something else
    static final String OTHER_KEY = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqTxd43gyp8IOEto2LdIfjRQrIbsd4SXZkLW6jDutdhXSJCWHw8REntlo7aNDthvj+y7GjUuFDb/R1NGe1OPzpA==";
    static final String OTHER_SIGNATURE = "MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH3j/0=";

    /** A moment shortly after the vector was signed, so that its old timestamp is fresh. */
    static final Instant THEN = Instant.ofEpochSecond(Long.parseLong(TIMESTAMP) + 7);
    static final String URL = "https://hooks.example.com/inbound/sendgrid/events/con_1";

    final SendGridSignatureVerifier verifier = new SendGridSignatureVerifier();

    @BeforeAll
    static void registerBouncyCastle() {
        // sendgrid-java's EventWebhook asks for the "BC" provider by name; added last, so the JDK's own providers,
        // which the code under test uses, stay first
        Security.addProvider(new BouncyCastleProvider());
    }

    @AfterAll
    static void removeBouncyCastle() {
        Security.removeProvider(BouncyCastleProvider.PROVIDER_NAME);
    }

    static InboundRequest signed(byte[] body, String timestamp, String signature) {
        return Callbacks.post(URL, "application/json", body, SIGNATURE_HEADER, signature, TIMESTAMP_HEADER, timestamp);
    }

    @Test
    void the_published_sendgrid_java_vector_verifies_at_the_time_it_was_signed() throws Exception {
        assertThat(verifier.verify(signed(utf8(PAYLOAD), TIMESTAMP, SIGNATURE), key(PUBLIC_KEY), THEN).verified()).isTrue();
        // the payload text above is the one the SDK's own test signs: the SDK agrees
        EventWebhook sdk = new EventWebhook();
        assertThat(sdk.VerifySignature(sdk.ConvertPublicKeyToECDSA(PUBLIC_KEY), PAYLOAD, SIGNATURE, TIMESTAMP)).isTrue();
    }

    @Test
    void the_published_vector_is_refused_today_as_stale() {
        assertRefusedBecause(verifier.verify(signed(utf8(PAYLOAD), TIMESTAMP, SIGNATURE), key(PUBLIC_KEY), Instant.now()),
                "timestamp");
    }

    @Test
    void the_published_negative_vectors_are_refused() {
        // sendgrid-java's testBadKey, testBadPayload, testBadSignature, testBadTimestamp
        assertRefused(verifier.verify(signed(utf8(PAYLOAD), TIMESTAMP, SIGNATURE), key(OTHER_KEY), THEN));
        assertRefused(verifier.verify(signed(utf8("payload"), TIMESTAMP, SIGNATURE), key(PUBLIC_KEY), THEN));
        assertRefused(verifier.verify(signed(utf8(PAYLOAD), TIMESTAMP, OTHER_SIGNATURE), key(PUBLIC_KEY), THEN));
        assertRefusedBecause(verifier.verify(signed(utf8(PAYLOAD), "timestamp", SIGNATURE), key(PUBLIC_KEY), THEN),
                "malformed timestamp");
    }

    @Test
    void the_signature_covers_the_timestamp_and_every_byte_of_the_body() {
        assertRefusedBecause(verifier.verify(signed(utf8(PAYLOAD), "1600112503", SIGNATURE), key(PUBLIC_KEY), THEN),
                "does not match");
        for (int i : new int[] {0, 100, utf8(PAYLOAD).length - 1}) {
            assertRefusedBecause(verifier.verify(signed(oneByteChanged(utf8(PAYLOAD), i), TIMESTAMP, SIGNATURE),
                    key(PUBLIC_KEY), THEN), "does not match");
        }
        // the trailing CRLF is part of what was signed
        assertRefused(verifier.verify(signed(utf8(PAYLOAD.strip()), TIMESTAMP, SIGNATURE), key(PUBLIC_KEY), THEN));
    }

    @Test
    void a_signature_made_with_the_jdk_verifies_here_and_with_sendgrid_java() throws Exception {
        KeyPair pair = newP256();
        String timestamp = Long.toString(Instant.now().getEpochSecond());
        byte[] body = utf8("[{\"email\":\"é@example.com\",\"event\":\"delivered\",\"sg_event_id\":\"ev_1\"}]\r\n");
        String signature = sign(pair.getPrivate(), "SHA256withECDSA", null, timestamp, body);

        assertThat(verifier.verify(signed(body, timestamp, signature), key(pair), Instant.now()).verified()).isTrue();
        EventWebhook sdk = new EventWebhook();
        assertThat(sdk.VerifySignature(sdk.ConvertPublicKeyToECDSA(base64(pair)), body, signature, timestamp)).isTrue();
    }

    @Test
    void a_signature_sendgrid_java_accepts_made_with_bouncycastle_verifies_here() throws Exception {
        KeyPair pair = newP256();
        String timestamp = Long.toString(Instant.now().getEpochSecond());
        byte[] body = utf8("[{\"event\":\"bounce\",\"reason\":\"550 5.1.1\"}]\r\n");
        String signature = sign(pair.getPrivate(), "SHA256withECDSA", BouncyCastleProvider.PROVIDER_NAME, timestamp, body);
        EventWebhook sdk = new EventWebhook();
        ECPublicKey sdkKey = sdk.ConvertPublicKeyToECDSA(base64(pair));
        assertThat(sdk.VerifySignature(sdkKey, body, signature, timestamp)).isTrue();

        assertThat(verifier.verify(signed(body, timestamp, signature), key(pair), Instant.now()).verified()).isTrue();
    }

    @Test
    void a_binary_body_is_verified_byte_for_byte() throws Exception {
        KeyPair pair = newP256();
        String timestamp = Long.toString(Instant.now().getEpochSecond());
        String signature = sign(pair.getPrivate(), "SHA256withECDSA", null, timestamp, BINARY);

        assertThat(verifier.verify(signed(BINARY, timestamp, signature), key(pair), Instant.now()).verified()).isTrue();
        EventWebhook sdk = new EventWebhook();
        assertThat(sdk.VerifySignature(sdk.ConvertPublicKeyToECDSA(base64(pair)), BINARY, signature, timestamp)).isTrue();
        // the same "text" after a round trip through a String is other bytes, and is refused
        assertRefusedBecause(verifier.verify(signed(reencoded(BINARY), timestamp, signature), key(pair), Instant.now()),
                "does not match");
    }

    @Test
    void missing_or_malformed_headers_are_refused() {
        Credentials key = key(PUBLIC_KEY);
        assertRefusedBecause(verifier.verify(Callbacks.post(URL, "application/json", utf8(PAYLOAD),
                TIMESTAMP_HEADER, TIMESTAMP), key, THEN), SIGNATURE_HEADER);
        assertRefusedBecause(verifier.verify(Callbacks.post(URL, "application/json", utf8(PAYLOAD),
                SIGNATURE_HEADER, SIGNATURE), key, THEN), TIMESTAMP_HEADER);
        assertRefusedBecause(verifier.verify(signed(utf8(PAYLOAD), TIMESTAMP, "not base64!"), key, THEN), "malformed");
        // base64, but not a DER signature
        assertRefusedBecause(verifier.verify(signed(utf8(PAYLOAD), TIMESTAMP, "AAAA"), key, THEN), "malformed");
        assertRefusedBecause(verifier.verify(signed(utf8(PAYLOAD), "-1600112502", SIGNATURE), key, THEN), "malformed");
        assertRefusedBecause(verifier.verify(signed(utf8(PAYLOAD), "99999999999999999999", SIGNATURE), key, THEN),
                "malformed");
    }

    @Test
    void headers_are_found_whatever_their_case() {
        InboundRequest request = Callbacks.post(URL, "application/json", utf8(PAYLOAD),
                SIGNATURE_HEADER.toLowerCase(), SIGNATURE, TIMESTAMP_HEADER.toUpperCase(), TIMESTAMP);
        assertThat(verifier.verify(request, key(PUBLIC_KEY), THEN).verified()).isTrue();
    }

    @Test
    void the_timestamp_window_is_the_configured_tolerance_either_way() {
        long signedAt = Long.parseLong(TIMESTAMP);
        InboundRequest request = signed(utf8(PAYLOAD), TIMESTAMP, SIGNATURE);
        Credentials key = key(PUBLIC_KEY);

        assertThat(verifier.verify(request, key, Instant.ofEpochSecond(signedAt + 300)).verified()).isTrue();
        assertRefusedBecause(verifier.verify(request, key, Instant.ofEpochSecond(signedAt + 301)), "window");
        assertThat(verifier.verify(request, key, Instant.ofEpochSecond(signedAt - 300)).verified()).isTrue();
        assertRefusedBecause(verifier.verify(request, key, Instant.ofEpochSecond(signedAt - 301)), "window");

        SendGridSignatureVerifier lenient = new SendGridSignatureVerifier(Duration.ofHours(1));
        assertThat(lenient.verify(request, key, Instant.ofEpochSecond(signedAt + 3600)).verified()).isTrue();
        assertRefused(lenient.verify(request, key, Instant.ofEpochSecond(signedAt + 3601)));
    }

    @Test
    void a_key_that_is_not_p256_refuses_every_callback_and_is_not_valid_to_save() throws Exception {
        InboundRequest request = signed(utf8(PAYLOAD), TIMESTAMP, SIGNATURE);
        assertThatIllegalArgumentException().isThrownBy(() -> verifier.verify(request, new Credentials.SharedSecret("s"), THEN));
        assertRefusedBecause(verifier.verify(request, key("bm90IGEga2V5"), THEN), "not an EC P-256 public key");

        KeyPairGenerator p384 = KeyPairGenerator.getInstance("EC");
        p384.initialize(new ECGenParameterSpec("secp384r1"));
        String p384Key = Base64.getEncoder().encodeToString(p384.generateKeyPair().getPublic().getEncoded());
        assertThat(SendGridSignatureVerifier.isValidKey(p384Key)).isFalse();
        assertThat(SendGridSignatureVerifier.isValidKey("not base64!")).isFalse();
        assertThat(SendGridSignatureVerifier.isValidKey(PUBLIC_KEY)).isTrue();
    }

    static Credentials key(String base64) {
        return new Credentials.VerificationKey(base64);
    }

    static Credentials key(KeyPair pair) {
        return key(base64(pair));
    }

    static String base64(KeyPair pair) {
        return Base64.getEncoder().encodeToString(pair.getPublic().getEncoded());
    }

    static KeyPair newP256() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    /** Signs timestamp + body as SendGrid does, with the JDK or a named provider. */
    static String sign(PrivateKey key, String algorithm, String provider, String timestamp, byte[] body) throws Exception {
        Signature ecdsa = provider == null ? Signature.getInstance(algorithm) : Signature.getInstance(algorithm, provider);
        ecdsa.initSign(key);
        ecdsa.update(utf8(timestamp));
        ecdsa.update(body);
        return Base64.getEncoder().encodeToString(ecdsa.sign());
    }
}

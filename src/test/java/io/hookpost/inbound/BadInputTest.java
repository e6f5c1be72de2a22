package io.hookpost.inbound;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Whatever arrives, every verifier answers a refusal: no exception, nothing verified by accident. */
class BadInputTest {
    static final String[] HEADERS = {SendGridSignatureVerifier.SIGNATURE_HEADER, SendGridSignatureVerifier.TIMESTAMP_HEADER,
            TwilioSignatureVerifier.SIGNATURE_HEADER, HmacSha256HexVerifier.META_HEADER,
            HmacSha256HexVerifier.HOOKPOST_HEADER, "Authorization"};
    static final String[] CONTENT_TYPES = {null, "", "application/json", "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x", ";;;", "application/x-www-form-urlencoded; charset=\u0000"};
    static final String[] VALUES = {"", " ", "sha256=", "sha256=zz", "Basic", "Basic ====", "Basic Og==", "-1",
            "1600112502", "99999999999999", "MEUCIQ==", "\u0000\uFFFF\uD800", "é", "=".repeat(5000)};
    static final String[] URLS = {"", "https://h.example/p?bodySHA256=", "https://h.example/p?bodySHA256=%zz",
            "https://h.example:99999999999/p", "https://[::1/p", "https://h.example/p?hub.mode=subscribe&hub.verify_token=x",
            "://", "https://u@h@x:y:z/p?#?"};
    static final Credentials[] SECRETS = {new Credentials.SharedSecret("s"), new Credentials.BasicAuth("u", "p")};

    @Test
    void random_garbage_is_refused_by_every_verifier() throws Exception {
        Credentials sendGridKey = SendGridSignatureVerifierTest.key(SendGridSignatureVerifierTest.PUBLIC_KEY);
        Map<CallbackVerifier, List<Credentials>> verifiers = new LinkedHashMap<>();
        verifiers.put(new SendGridSignatureVerifier(), List.of(sendGridKey));
        verifiers.put(new SendGridInboundParseVerifier(), List.of(sendGridKey, SECRETS[1]));
        verifiers.put(new TwilioSignatureVerifier(), List.of(SECRETS[0]));
        verifiers.put(HmacSha256HexVerifier.meta(), List.of(SECRETS[0]));
        verifiers.put(HmacSha256HexVerifier.hookpost(), List.of(SECRETS[0]));
        verifiers.put(new MailgunSignatureVerifier(), List.of(SECRETS[0]));
        verifiers.put(new BasicAuthVerifier(), List.of(SECRETS[1]));
        MetaHandshake handshake = new MetaHandshake();

        Random random = new Random(20240601);
        for (int i = 0; i < 2000; i++) {
            InboundRequest request = randomRequest(random);
            verifiers.forEach((verifier, credentials) -> credentials.forEach(credential -> {
                Verdict verdict = verifier.verify(request, credential, Instant.ofEpochSecond(1600112502));
                assertThat(verdict.verified()).as("%s on %s", verifier.getClass().getSimpleName(), request).isFalse();
                assertThat(verdict.reason()).isNotBlank();
            }));
            assertThat(handshake.answer(request, "the token").accepted()).isFalse();
        }
    }

    static InboundRequest randomRequest(Random random) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : HEADERS) {
            if (random.nextBoolean()) {
                headers.put(random.nextBoolean() ? name : name.toLowerCase(), List.of(random.nextBoolean()
                        ? VALUES[random.nextInt(VALUES.length)] : new String(bytes(random, 40), StandardCharsets.ISO_8859_1)));
            }
        }
        String url = random.nextBoolean() ? URLS[random.nextInt(URLS.length)]
                : "https://h.example/p?" + new String(bytes(random, 30), StandardCharsets.ISO_8859_1);
        byte[] body = random.nextInt(4) == 0 ? "{\"signature\":{\"timestamp\":\"1600112502\",\"token\":\"t\",\"signature\":\"00\"}}"
                .getBytes(StandardCharsets.UTF_8) : bytes(random, 200);
        return new InboundRequest(random.nextBoolean() ? "POST" : "GET", url, headers, body,
                CONTENT_TYPES[random.nextInt(CONTENT_TYPES.length)]);
    }

    static byte[] bytes(Random random, int max) {
        byte[] bytes = new byte[random.nextInt(max)];
        random.nextBytes(bytes);
        return bytes;
    }
}

package io.hookpost.inbound;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import static org.assertj.core.api.Assertions.assertThat;

/** Builds callbacks for the verifier tests, and checks refusals the same way everywhere. */
final class Callbacks {
    /** The bytes of a body that is not text at all: a byte-order mark, a NUL, invalid UTF-8. */
    static final byte[] BINARY = {(byte) 0xFF, (byte) 0xFE, 0x00, 0x41, (byte) 0xC3, 0x28, (byte) 0x80, 0x0A, (byte) 0xF5};

    private Callbacks() {
    }

    /** A POST; {@code headers} are name, value pairs. */
    static InboundRequest post(String url, String contentType, byte[] body, String... headers) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        for (int i = 0; i < headers.length; i += 2) {
            map.put(headers[i], List.of(headers[i + 1]));
        }
        return new InboundRequest("POST", url, map, body, contentType);
    }

    static InboundRequest get(String url) {
        return new InboundRequest("GET", url, Map.of(), new byte[0], null);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The same bytes with one of them changed. */
    static byte[] oneByteChanged(byte[] body, int index) {
        byte[] changed = body.clone();
        changed[index] ^= 0x01;
        return changed;
    }

    /** What a framework does when it reads a body as text and writes it back: invalid bytes become U+FFFD. */
    static byte[] reencoded(byte[] body) {
        return new String(body, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
    }

    /** HMAC with the JDK directly, independent of the code under test. */
    static byte[] jdkHmac(String algorithm, String key, byte[] data) throws Exception {
        Mac mac = Mac.getInstance(algorithm);
        mac.init(new SecretKeySpec(utf8(key), algorithm));
        return mac.doFinal(data);
    }

    /** Refused, with a reason that repeats none of the given secrets. */
    static void assertRefused(Verdict verdict, String... secrets) {
        assertThat(verdict.verified()).as("verified").isFalse();
        assertThat(verdict.reason()).isNotBlank();
        assertThat(verdict.replayKey()).isNull();
        for (String secret : secrets) {
            assertThat(verdict.reason()).doesNotContain(secret);
        }
    }

    static void assertRefusedBecause(Verdict verdict, String reasonPart, String... secrets) {
        assertRefused(verdict, secrets);
        assertThat(verdict.reason()).contains(reasonPart);
    }
}

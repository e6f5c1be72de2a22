package io.hookpost.outbound;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookpost.support.HookpostTest;
import io.hookpost.support.SignatureLibraries;
import io.hookpost.support.TestReceiver.Received;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What Hookpost signs, verified by Svix's own library and Standard Webhooks' reference one, and a GitHub-style
 * signature by GitHub's (Octokit's), in JavaScript, as a receiver on Node.js verifies it (the Java tests use Standard
 * Webhooks' Java library).
 */
class SignatureLibrariesTest extends HookpostTest {
    private static final Map<String, String> BOTH_VERIFIED = Map.of("svix", "verified", "standardwebhooks", "verified");

    @Test
    void svix_and_standard_webhooks_javascript_libraries_verify_a_delivery() throws Exception {
        SignatureLibraries libraries = SignatureLibraries.find();
        String secret = createEndpoint(Map.of("url", receiver.url("/node"))).get("secret").asText();
        // text outside ASCII and the BMP, exact decimals, nesting: the bytes signed are the bytes sent
        publish("{\"type\":\"host.offline\",\"data\":{\"host\":\"caf\u00e9-\uD83D\uDE80\",\"load\":1.10,"
                + "\"tags\":[\"a\",{\"b\":null}]}}");
        Received post = receiver.next(WAIT);

        assertThat(libraries.verify(secret, signatureHeaders(post), post.bodyText())).isEqualTo(BOTH_VERIFIED);

        String changed = post.bodyText().replace("1.10", "1.11");
        assertThat(libraries.verify(secret, signatureHeaders(post), changed).values())
                .as("a body changed by one character").allMatch(verdict -> verdict.startsWith("refused"));
        String otherSecret = createEndpoint(Map.of("url", receiver.url("/other"), "eventTypes", List.of("none.such")))
                .get("secret").asText();
        assertThat(libraries.verify(otherSecret, signatureHeaders(post), post.bodyText()).values())
                .as("another endpoint's secret").allMatch(verdict -> verdict.startsWith("refused"));
    }

    @Test
    void during_a_rotations_grace_period_both_libraries_verify_with_the_old_secret_and_the_new() throws Exception {
        SignatureLibraries libraries = SignatureLibraries.find();
        String endpointId = createEndpoint(Map.of("url", receiver.url("/rotating"))).get("id").asText();
        String path = "/api/v1/accounts/" + account + "/endpoints/" + endpointId;
        String old = operator.get(path + "/secret").json().get("secret").asText();
        assertThat(operator.post(path + "/rotate-secret", Map.of("gracePeriodSeconds", 3600)).status()).isEqualTo(200);
        String fresh = operator.get(path + "/secret").json().get("secret").asText();
        assertThat(fresh).isNotEqualTo(old);

        publish(Map.of("type", "host.offline", "data", Map.of("host", "web-1")));
        Received post = receiver.next(WAIT);
        assertThat(post.header("webhook-signature").split(" ")).hasSize(2);

        assertThat(libraries.verify(fresh, signatureHeaders(post), post.bodyText())).isEqualTo(BOTH_VERIFIED);
        assertThat(libraries.verify(old, signatureHeaders(post), post.bodyText())).isEqualTo(BOTH_VERIFIED);
    }

    @Test
    void githubs_library_verifies_a_hmac_sha256_hex_signature_in_x_hub_signature_256() throws Exception {
        SignatureLibraries libraries = SignatureLibraries.find();
        String secret = createEndpoint(Map.of("url", receiver.url("/github-style"),
                "signatureScheme", "hmac-sha256-hex", "signatureHeader", "X-Hub-Signature-256")).get("secret").asText();
        publish("{\"type\":\"host.offline\",\"data\":{\"host\":\"caf\u00e9-\uD83D\uDE80\",\"load\":1.10}}");
        Received post = receiver.next(WAIT);
        Map<String, String> headers = Map.of("x-hub-signature-256", post.header("X-Hub-Signature-256"));

        assertThat(libraries.verify(secret, headers, post.bodyText())).isEqualTo(Map.of("octokit", "verified"));
        assertThat(libraries.verify(secret, headers, post.bodyText().replace("1.10", "1.11")).get("octokit"))
                .startsWith("refused");
    }

    @Test
    void nodes_crypto_and_tweetnacl_verify_an_ed25519_endpoints_v1a_signature_with_its_public_key() throws Exception {
        SignatureLibraries libraries = SignatureLibraries.find();
        JsonNode endpoint = createEndpoint(Map.of("url", receiver.url("/ed25519"), "keyType", "ed25519"));
        String publicKey = endpoint.get("secret").asText();
        publish("{\"type\":\"host.offline\",\"data\":{\"host\":\"caf\u00e9-\uD83D\uDE80\",\"load\":1.10}}");
        Received post = receiver.next(WAIT);
        Map<String, String> bothEd25519 = Map.of("node:crypto", "verified", "tweetnacl", "verified");

        assertThat(libraries.verify(publicKey, signatureHeaders(post), post.bodyText())).isEqualTo(bothEd25519);
        assertThat(libraries.verify(publicKey, signatureHeaders(post), post.bodyText().replace("1.10", "1.11"))
                .values()).as("a body changed by one character").allMatch(verdict -> verdict.startsWith("refused"));

        // rotated to a shared secret with a grace period: v1 and v1a in one header, each verified by its libraries
        String path = "/api/v1/accounts/" + account + "/endpoints/" + endpoint.get("id").asText();
        String shared = operator.post(path + "/rotate-secret", Map.of("gracePeriodSeconds", 600, "keyType", "symmetric"))
                .json().get("secret").asText();
        publish(Map.of("type", "host.offline", "data", Map.of("host", "web-2")));
        Received both = receiver.next(WAIT);
        assertThat(both.header("webhook-signature").split(" ")).hasSize(2);
        assertThat(libraries.verify(shared, signatureHeaders(both), both.bodyText())).isEqualTo(BOTH_VERIFIED);
        assertThat(libraries.verify(publicKey, signatureHeaders(both), both.bodyText())).isEqualTo(bothEd25519);
    }

    private static Map<String, String> signatureHeaders(Received post) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String name : List.of("webhook-id", "webhook-timestamp", "webhook-signature")) {
            headers.put(name, post.header(name));
        }
        return headers;
    }
}

package io.hookpost.inbound;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

import org.junit.jupiter.api.Test;

import static io.hookpost.inbound.Callbacks.BINARY;
import static io.hookpost.inbound.Callbacks.assertRefused;
import static io.hookpost.inbound.Callbacks.assertRefusedBecause;
import static io.hookpost.inbound.Callbacks.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class BasicAuthVerifierTest {
    static final String URL = "https://hooks.example.com/inbound/postmark/con_1";
    static final Instant NOW = Instant.now();
    static final Credentials POSTMARK = new Credentials.BasicAuth("postmark", "s3cr3t:with:colons ünï");

    final BasicAuthVerifier verifier = new BasicAuthVerifier();

    /** The header an HTTP client sends for https://user:password@host/… (RFC 7617, UTF-8). */
    static InboundRequest withAuthorization(String value) {
        return Callbacks.post(URL, "application/json", utf8("{\"RecordType\":\"Delivery\"}"), "Authorization", value);
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void the_configured_username_and_password_are_accepted() {
        assertThat(verifier.verify(withAuthorization(basic("postmark", "s3cr3t:with:colons ünï")), POSTMARK, NOW).verified())
                .isTrue();
        // the scheme name is case-insensitive
        assertThat(verifier.verify(withAuthorization(basic("postmark", "s3cr3t:with:colons ünï").replace("Basic", "basic")),
                POSTMARK, NOW).verified()).isTrue();
    }

    @Test
    void a_wrong_username_or_password_is_refused_without_saying_which() {
        for (String[] wrong : new String[][] {{"postmark", "s3cr3t"}, {"Postmark", "s3cr3t:with:colons ünï"},
                {"postmark", "s3cr3t:with:colons ünï "}, {"", ""}, {"postmark", "s3cr3t:with:colons"}}) {
            assertRefusedBecause(verifier.verify(withAuthorization(basic(wrong[0], wrong[1])), POSTMARK, NOW),
                    "wrong username or password", "s3cr3t");
        }
    }

    @Test
    void missing_or_malformed_authorization_is_refused() {
        assertRefusedBecause(verifier.verify(Callbacks.post(URL, "application/json", utf8("{}")), POSTMARK, NOW), "missing");
        assertRefused(verifier.verify(withAuthorization("Bearer abc"), POSTMARK, NOW));
        assertRefused(verifier.verify(withAuthorization("Basic"), POSTMARK, NOW));
        assertRefused(verifier.verify(withAuthorization("Basic ***"), POSTMARK, NOW));
        assertRefused(verifier.verify(withAuthorization("Basic " + Base64.getEncoder().encodeToString(utf8("no-colon"))),
                POSTMARK, NOW));
        assertRefused(verifier.verify(withAuthorization("Basic " + Base64.getEncoder().encodeToString(BINARY)), POSTMARK, NOW));
    }

    @Test
    void the_credentials_never_show_in_text() {
        assertThat(POSTMARK.toString()).doesNotContain("postmark").doesNotContain("s3cr3t");
    }

    @Test
    void a_connection_without_basic_auth_is_a_configuration_error() {
        assertThatIllegalArgumentException().isThrownBy(() -> verifier.verify(withAuthorization(basic("a", "b")),
                new Credentials.SharedSecret("x"), NOW));
        assertThatIllegalArgumentException().isThrownBy(() -> new Credentials.BasicAuth("user", ""));
    }
}

package io.hookpost.inbound;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Base64;

import org.junit.jupiter.api.Test;

import static io.hookpost.inbound.Callbacks.BINARY;
import static io.hookpost.inbound.Callbacks.assertRefused;
import static io.hookpost.inbound.Callbacks.reencoded;
import static io.hookpost.inbound.SendGridSignatureVerifier.SIGNATURE_HEADER;
import static io.hookpost.inbound.SendGridSignatureVerifier.TIMESTAMP_HEADER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class SendGridInboundParseVerifierTest {
    static final String URL = "https://hooks.example.com/inbound/sendgrid/parse/con_1";
    static final String MULTIPART = "multipart/form-data; boundary=xYzZY";

    final SendGridInboundParseVerifier verifier = new SendGridInboundParseVerifier();

    /** An inbound email as Inbound Parse posts it: multipart, with a binary attachment. */
    static byte[] inboundEmail() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--xYzZY\r\nContent-Disposition: form-data; name=\"subject\"\r\n\r\nRé: invoice\r\n"
                + "--xYzZY\r\nContent-Disposition: form-data; name=\"attachment1\"; filename=\"a.bin\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(BINARY);
        body.writeBytes("\r\n--xYzZY--\r\n".getBytes(StandardCharsets.UTF_8));
        return body.toByteArray();
    }

    @Test
    void a_signed_multipart_email_with_a_binary_attachment_verifies_byte_for_byte() throws Exception {
        KeyPair pair = SendGridSignatureVerifierTest.newP256();
        String timestamp = Long.toString(Instant.now().getEpochSecond());
        byte[] body = inboundEmail();
        String signature = SendGridSignatureVerifierTest.sign(pair.getPrivate(), "SHA256withECDSA", null, timestamp, body);
        Credentials key = SendGridSignatureVerifierTest.key(pair);

        InboundRequest request = Callbacks.post(URL, MULTIPART, body, SIGNATURE_HEADER, signature, TIMESTAMP_HEADER, timestamp);
        assertThat(verifier.verify(request, key, Instant.now()).verified()).isTrue();
        InboundRequest reread = Callbacks.post(URL, MULTIPART, reencoded(body), SIGNATURE_HEADER, signature,
                TIMESTAMP_HEADER, timestamp);
        assertRefused(verifier.verify(reread, key, Instant.now()));
        assertRefused(verifier.verify(Callbacks.post(URL, MULTIPART, body), key, Instant.now()));
    }

    @Test
    void basic_auth_in_the_parse_url_is_the_alternative() {
        Credentials credentials = new Credentials.BasicAuth("parse", "hunter2");
        String good = "Basic " + Base64.getEncoder().encodeToString("parse:hunter2".getBytes(StandardCharsets.UTF_8));
        String bad = "Basic " + Base64.getEncoder().encodeToString("parse:hunter3".getBytes(StandardCharsets.UTF_8));
        assertThat(verifier.verify(Callbacks.post(URL, MULTIPART, inboundEmail(), "Authorization", good), credentials,
                Instant.now()).verified()).isTrue();
        assertRefused(verifier.verify(Callbacks.post(URL, MULTIPART, inboundEmail(), "Authorization", bad), credentials,
                Instant.now()), "hunter2");
        assertRefused(verifier.verify(Callbacks.post(URL, MULTIPART, inboundEmail()), credentials, Instant.now()));
    }

    @Test
    void a_shared_secret_is_not_a_sendgrid_credential() {
        assertThatIllegalArgumentException().isThrownBy(() -> verifier.verify(Callbacks.post(URL, MULTIPART, inboundEmail()),
                new Credentials.SharedSecret("x"), Instant.now()));
    }
}

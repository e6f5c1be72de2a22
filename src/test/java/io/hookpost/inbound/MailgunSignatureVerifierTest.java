package io.hookpost.inbound;

import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

import static io.hookpost.inbound.Callbacks.BINARY;
import static io.hookpost.inbound.Callbacks.assertRefused;
import static io.hookpost.inbound.Callbacks.assertRefusedBecause;
import static io.hookpost.inbound.Callbacks.jdkHmac;
import static io.hookpost.inbound.Callbacks.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class MailgunSignatureVerifierTest {
    // The published vector of mailgun-php's own test, tests/Api/WebhookTest.php (testVerifyWebhookGood / Bad)
    static final String SIGNING_KEY = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0";
    static final String TIMESTAMP = "1403645220";
    static final String TOKEN = "5egbgr1vjgqxtrnp65xfznchgdccwh5d6i09vijqi3whgowmn6";
    static final String SIGNATURE = "9cfc5c41582e51246e73c88d34db3af0a3a2692a76fbab81492842f000256d33";
    static final String OTHER_TOKEN = "owyldpe6nxhmrn78epljl6bj0orrki1u3d2v5e6cnlmmuox8jr";

    static final Instant THEN = Instant.ofEpochSecond(Long.parseLong(TIMESTAMP) + 42);
    static final Credentials KEY = new Credentials.SharedSecret(SIGNING_KEY);
    static final String URL = "https://hooks.example.com/inbound/mailgun/con_1";

    final MailgunSignatureVerifier verifier = new MailgunSignatureVerifier();

    static InboundRequest json(String timestamp, String token, String signature) {
        return Callbacks.post(URL, "application/json", utf8("{\"signature\":{\"timestamp\":\"" + timestamp
                + "\",\"token\":\"" + token + "\",\"signature\":\"" + signature + "\"},"
                + "\"event-data\":{\"event\":\"delivered\",\"id\":\"CPgfbmQMTCKtHW6uIWtuVe\"}}"));
    }

    static String independentSignature(String key, String timestamp, String token) throws Exception {
        return HexFormat.of().formatHex(jdkHmac("HmacSHA256", key, utf8(timestamp + token)));
    }

    @Test
    void the_published_mailgun_php_vector_verifies_and_reports_its_token_for_replay_detection() {
        Verdict verdict = verifier.verify(json(TIMESTAMP, TOKEN, SIGNATURE), KEY, THEN);
        assertThat(verdict.verified()).isTrue();
        assertThat(verdict.replayKey()).isEqualTo(TOKEN);
    }

    @Test
    void the_published_bad_vector_is_refused() {
        assertRefusedBecause(verifier.verify(json(TIMESTAMP, OTHER_TOKEN, SIGNATURE), KEY, THEN), "does not match",
                SIGNING_KEY);
    }

    @Test
    void the_legacy_form_fields_verify_the_same_way() {
        InboundRequest request = Callbacks.post(URL, "application/x-www-form-urlencoded; charset=utf-8",
                utf8("event=delivered&timestamp=" + TIMESTAMP + "&token=" + TOKEN + "&signature=" + SIGNATURE
                        + "&recipient=alice%40example.com"));
        Verdict verdict = verifier.verify(request, KEY, THEN);
        assertThat(verdict.verified()).isTrue();
        assertThat(verdict.replayKey()).isEqualTo(TOKEN);
    }

    @Test
    void a_fresh_callback_signed_with_the_jdk_verifies() throws Exception {
        String now = Long.toString(Instant.now().getEpochSecond());
        String token = "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0";
        Verdict verdict = verifier.verify(json(now, token, independentSignature("signing-key-1", now, token)),
                new Credentials.SharedSecret("signing-key-1"), Instant.now());
        assertThat(verdict.verified()).isTrue();
        assertThat(verdict.replayKey()).isEqualTo(token);
    }

    @Test
    void a_timestamp_outside_the_window_is_refused_even_when_signed() {
        assertRefusedBecause(verifier.verify(json(TIMESTAMP, TOKEN, SIGNATURE), KEY, Instant.now()), "window");
        Instant tenMinutesLater = Instant.ofEpochSecond(Long.parseLong(TIMESTAMP) + 600);
        assertRefused(verifier.verify(json(TIMESTAMP, TOKEN, SIGNATURE), KEY, tenMinutesLater));
        assertThat(new MailgunSignatureVerifier(Duration.ofMinutes(15))
                .verify(json(TIMESTAMP, TOKEN, SIGNATURE), KEY, tenMinutesLater).verified()).isTrue();
    }

    @Test
    void forged_or_altered_signatures_are_refused() throws Exception {
        assertRefused(verifier.verify(json(TIMESTAMP, TOKEN, SIGNATURE), new Credentials.SharedSecret("key-other"), THEN));
        assertRefused(verifier.verify(json("1403645221", TOKEN, SIGNATURE), KEY, THEN));
        assertRefused(verifier.verify(json(TIMESTAMP, TOKEN, independentSignature("key-other", TIMESTAMP, TOKEN)), KEY, THEN));
        assertRefused(verifier.verify(json(TIMESTAMP, TOKEN, SIGNATURE.substring(1)), KEY, THEN));
        assertRefused(verifier.verify(json(TIMESTAMP, TOKEN, "sha256=" + SIGNATURE), KEY, THEN));
        // upper-case hex is the same signature
        assertThat(verifier.verify(json(TIMESTAMP, TOKEN, SIGNATURE.toUpperCase()), KEY, THEN).verified()).isTrue();
    }

    @Test
    void missing_fields_and_bodies_that_are_not_json_are_refused_not_thrown() {
        for (String body : new String[] {"", "{}", "[]", "null", "{\"signature\":{}}", "{\"signature\":\"x\"}",
                "{\"signature\":{\"timestamp\":\"" + TIMESTAMP + "\",\"token\":\"" + TOKEN + "\"}}",
                "{\"signature\":{\"timestamp\":\"" + TIMESTAMP + "\",\"token\":\"\",\"signature\":\"" + SIGNATURE + "\"}}",
                "{\"signature\":{\"timestamp\":1.5,\"token\":\"t\",\"signature\":\"s\"}}",
                "{\"signature\": {\"timestamp\""}) {
            assertRefused(verifier.verify(Callbacks.post(URL, "application/json", utf8(body)), KEY, THEN));
        }
        assertRefusedBecause(verifier.verify(Callbacks.post(URL, "application/json", BINARY), KEY, THEN), "malformed");
        assertRefused(verifier.verify(Callbacks.post(URL, "application/x-www-form-urlencoded", BINARY), KEY, THEN));
        assertRefused(verifier.verify(Callbacks.post(URL, "application/x-www-form-urlencoded", utf8("timestamp=1")), KEY, THEN));
    }

    @Test
    void a_numeric_timestamp_is_read_as_its_digits() throws Exception {
        String token = "t0k3n";
        String body = "{\"signature\":{\"timestamp\":" + TIMESTAMP + ",\"token\":\"" + token + "\",\"signature\":\""
                + independentSignature(SIGNING_KEY, TIMESTAMP, token) + "\"}}";
        assertThat(verifier.verify(Callbacks.post(URL, "application/json", utf8(body)), KEY, THEN).verified()).isTrue();
    }

    @Test
    void the_event_data_is_not_covered_which_is_why_the_token_is_the_replay_key() {
        // Mailgun signs timestamp + token only: a changed event with the same signature still verifies, and the
        // caller's unique key on the token is what stops it being taken twice
        InboundRequest changed = Callbacks.post(URL, "application/json", utf8("{\"signature\":{\"timestamp\":\""
                + TIMESTAMP + "\",\"token\":\"" + TOKEN + "\",\"signature\":\"" + SIGNATURE + "\"},"
                + "\"event-data\":{\"event\":\"failed\"}}"));
        assertThat(verifier.verify(changed, KEY, THEN).replayKey()).isEqualTo(TOKEN);
    }

    @Test
    void a_connection_without_a_signing_key_is_a_configuration_error() {
        assertThatIllegalArgumentException().isThrownBy(() -> verifier.verify(json(TIMESTAMP, TOKEN, SIGNATURE),
                new Credentials.BasicAuth("api", "key"), THEN));
    }
}

package io.hookpost.inbound;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import com.twilio.security.RequestValidator;
import org.junit.jupiter.api.Test;

import static io.hookpost.inbound.Callbacks.BINARY;
import static io.hookpost.inbound.Callbacks.assertRefused;
import static io.hookpost.inbound.Callbacks.assertRefusedBecause;
import static io.hookpost.inbound.Callbacks.jdkHmac;
import static io.hookpost.inbound.Callbacks.oneByteChanged;
import static io.hookpost.inbound.Callbacks.reencoded;
import static io.hookpost.inbound.Callbacks.utf8;
import static io.hookpost.inbound.TwilioSignatureVerifier.SIGNATURE_HEADER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class TwilioSignatureVerifierTest {
    // The published vectors of twilio-java's own test, src/test/java/com/twilio/security/RequestValidatorTest.java
    static final String AUTH_TOKEN = "12345";
    static final String URL = "https://mycompany.com/myapp.php?foo=1&bar=2";
    static final Map<String, String> PARAMS = Map.of("Digits", "1234", "CallSid", "CA1234567890ABCDE",
            "To", "+18005551212", "Caller", "+14158675309", "From", "+14158675309");
    static final String SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";
    static final String JSON_BODY = "{\"property\": \"value\", \"boolean\": true}";
    static final String BODY_HASH = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";

    static final Instant NOW = Instant.now();
    static final Credentials TOKEN = new Credentials.SharedSecret(AUTH_TOKEN);

    final TwilioSignatureVerifier verifier = new TwilioSignatureVerifier();

    static InboundRequest form(String url, Map<String, String> params, String signature) {
        return Callbacks.post(url, "application/x-www-form-urlencoded", formBody(params), SIGNATURE_HEADER, signature);
    }

    static InboundRequest json(String url, byte[] body, String signature) {
        return Callbacks.post(url, "application/json", body, SIGNATURE_HEADER, signature);
    }

    /** The body a form POST carries, encoded by the JDK (not by the code under test), in insertion order. */
    static byte[] formBody(Map<String, String> params) {
        return utf8(params.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&")));
    }

    @Test
    void the_published_form_vector_verifies() {
        assertThat(verifier.verify(form(URL, PARAMS, SIGNATURE), TOKEN, NOW).verified()).isTrue();
    }

    @Test
    void the_published_json_vectors_verify_through_body_sha256() {
        // testValidateWithBody and testValidateWithNoOtherParameters
        assertThat(verifier.verify(json(URL + "&bodySHA256=" + BODY_HASH, utf8(JSON_BODY), "a9nBmqA0ju/hNViExpshrM61xv4="),
                TOKEN, NOW).verified()).isTrue();
        assertThat(verifier.verify(json("https://mycompany.com/myapp.php?bodySHA256=" + BODY_HASH, utf8(JSON_BODY),
                "y77kIzt2vzLz71DgmJGsen2scGs="), TOKEN, NOW).verified()).isTrue();
    }

    @Test
    void the_published_port_vectors_verify_with_the_port_added_or_removed() {
        // testValidateRemovesPortHttps: signed without the port Twilio then called with
        assertThat(verifier.verify(form(URL.replace(".com", ".com:1234"), PARAMS, SIGNATURE), TOKEN, NOW).verified()).isTrue();
        // testValidateRemovesPortHttp: signed over the http URL with port 1234
        assertThat(verifier.verify(form(URL.replace(".com", ".com:1234").replace("https", "http"), PARAMS,
                "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="), TOKEN, NOW).verified()).isTrue();
        // testValidateAddsPortHttps / testValidateAddsPortHttp: signed with the standard port, called without it
        assertThat(verifier.verify(form(URL, PARAMS, "kvajT1Ptam85bY51eRf/AJRuM3w="), TOKEN, NOW).verified()).isTrue();
        assertThat(verifier.verify(form(URL.replace("https", "http"), PARAMS, "0ZXoZLH/DfblKGATFgpif+LLRf4="),
                TOKEN, NOW).verified()).isTrue();
    }

    @Test
    void the_published_negative_vectors_are_refused() {
        // testFailsWhenIncorrect
        assertRefused(verifier.verify(form(URL, PARAMS, "NOTRSOYDt4T1cUTdK1PDd93/VVr8B8="), TOKEN, NOW), AUTH_TOKEN);
        // testValidateBodyWithoutSignature: a JSON body and no bodySHA256 in the URL
        assertRefusedBecause(verifier.verify(json(URL, utf8(JSON_BODY), SIGNATURE), TOKEN, NOW), "bodySHA256");
        // testValidateBodyFailsWhenWrong
        assertRefusedBecause(verifier.verify(json(URL + "&bodySHA256=WRONG", utf8(JSON_BODY), "a9nBmqA0ju/hNViExpshrM61xv4="),
                TOKEN, NOW), "bodySHA256");
    }

    @Test
    void what_twilio_java_accepts_is_accepted_here_for_awkward_parameters() throws Exception {
        // values a form encoder has to escape, non-ASCII text, an empty value, names that sort by case
        Map<String, String> params = new LinkedHashMap<>();
        params.put("Body", "Héllo wörld + 1 & 2 = 3 % 😀");
        params.put("body", "lower-case name sorts after upper-case");
        params.put("MessageStatus", "delivered");
        params.put("ErrorCode", "");
        params.put("To", "whatsapp:+14155238886");
        for (String url : List.of("https://hooks.example.com/inbound/twilio/con_1?x=1&y=%2F",
                "https://hooks.example.com:8443/inbound/twilio/con_1", "http://[::1]/inbound/twilio")) {
            String signature = independentSignature(url, params);
            RequestValidator sdk = new RequestValidator(AUTH_TOKEN);
            assertThat(sdk.validate(url, params, signature)).as("twilio-java on %s", url).isTrue();
            assertThat(verifier.verify(form(url, params, signature), TOKEN, NOW).verified()).as(url).isTrue();

            String other = independentSignature(url, Map.of("Body", "something else"));
            assertThat(sdk.validate(url, params, other)).isFalse();
            assertRefused(verifier.verify(form(url, params, other), TOKEN, NOW));
        }
    }

    @Test
    void what_twilio_java_accepts_for_a_json_body_is_accepted_here() throws Exception {
        byte[] body = utf8("{\"MessageSid\":\"SM1\",\"MessageStatus\":\"read\",\"note\":\"ünïcödé\"}");
        String url = "https://hooks.example.com/inbound/twilio/con_1?bodySHA256=" + sha256Hex(body);
        String signature = independentSignature(url, Map.of());
        assertThat(new RequestValidator(AUTH_TOKEN).validate(url, new String(body, StandardCharsets.UTF_8), signature)).isTrue();
        assertThat(verifier.verify(json(url, body, signature), TOKEN, NOW).verified()).isTrue();
    }

    @Test
    void a_binary_body_is_verified_byte_for_byte_through_its_hash() throws Exception {
        String url = "https://hooks.example.com/inbound/twilio/con_1?bodySHA256=" + sha256Hex(BINARY);
        String signature = independentSignature(url, Map.of());
        assertThat(verifier.verify(json(url, BINARY, signature), TOKEN, NOW).verified()).isTrue();
        assertRefusedBecause(verifier.verify(json(url, reencoded(BINARY), signature), TOKEN, NOW), "bodySHA256");
        // a form body that is not UTF-8 cannot be what Twilio signed
        assertRefusedBecause(verifier.verify(Callbacks.post(URL, "application/x-www-form-urlencoded", BINARY,
                SIGNATURE_HEADER, SIGNATURE), TOKEN, NOW), "malformed");
    }

    @Test
    void forged_changed_or_unsigned_callbacks_are_refused() {
        assertRefusedBecause(verifier.verify(form(URL, PARAMS, SIGNATURE), new Credentials.SharedSecret("54321"), NOW),
                "does not match", "54321");
        Map<String, String> changed = new TreeMap<>(PARAMS);
        changed.put("Digits", "1235");
        assertRefused(verifier.verify(form(URL, changed, SIGNATURE), TOKEN, NOW));
        byte[] body = formBody(PARAMS);
        assertRefused(verifier.verify(Callbacks.post(URL, "application/x-www-form-urlencoded", oneByteChanged(body, 3),
                SIGNATURE_HEADER, SIGNATURE), TOKEN, NOW));
        assertRefused(verifier.verify(form(URL.replace("foo=1", "foo=2"), PARAMS, SIGNATURE), TOKEN, NOW));
        assertRefused(verifier.verify(form(URL.replace("mycompany", "evil"), PARAMS, SIGNATURE), TOKEN, NOW));
        assertRefused(verifier.verify(json(URL + "&bodySHA256=" + BODY_HASH, oneByteChanged(utf8(JSON_BODY), 5),
                "a9nBmqA0ju/hNViExpshrM61xv4="), TOKEN, NOW));
        assertRefusedBecause(verifier.verify(Callbacks.post(URL, "application/x-www-form-urlencoded", formBody(PARAMS)),
                TOKEN, NOW), SIGNATURE_HEADER);
        assertRefusedBecause(verifier.verify(form(URL, PARAMS, "***"), TOKEN, NOW), "malformed");
        assertRefusedBecause(verifier.verify(Callbacks.post(URL, "application/x-www-form-urlencoded", utf8("a=%zz"),
                SIGNATURE_HEADER, SIGNATURE), TOKEN, NOW), "malformed");
    }

    @Test
    void a_get_without_a_body_is_signed_over_the_url_alone() throws Exception {
        String url = "https://hooks.example.com/inbound/twilio/con_1?CallSid=CA1&CallStatus=completed";
        InboundRequest request = new InboundRequest("GET", url, Map.of(SIGNATURE_HEADER, List.of(
                independentSignature(url, Map.of()))), null, null);
        assertThat(verifier.verify(request, TOKEN, NOW).verified()).isTrue();
    }

    @Test
    void a_name_sent_twice_signs_its_distinct_values_in_order() throws Exception {
        // twilio-python and twilio-node's rule (twilio-java takes one value per name)
        String expected = Base64.getEncoder().encodeToString(jdkHmac("HmacSHA1", AUTH_TOKEN, utf8(URL + "Ax" + "Ay" + "Bz")));
        InboundRequest request = Callbacks.post(URL, "application/x-www-form-urlencoded", utf8("B=z&A=y&A=x&A=y"),
                SIGNATURE_HEADER, expected);
        assertThat(verifier.verify(request, TOKEN, NOW).verified()).isTrue();
    }

    @Test
    void url_variants_change_only_the_port() {
        assertThat(TwilioSignatureVerifier.urlVariants("https://a.example/p?q=1"))
                .containsExactly("https://a.example/p?q=1", "https://a.example:443/p?q=1");
        assertThat(TwilioSignatureVerifier.urlVariants("http://a.example"))
                .containsExactly("http://a.example", "http://a.example:80");
        assertThat(TwilioSignatureVerifier.urlVariants("https://u:p@a.example:8443/p?next=http://b:1/"))
                .containsExactly("https://u:p@a.example:8443/p?next=http://b:1/", "https://u:p@a.example/p?next=http://b:1/");
        assertThat(TwilioSignatureVerifier.urlVariants("https://[2001:db8::1]:9/x"))
                .containsExactly("https://[2001:db8::1]:9/x", "https://[2001:db8::1]/x");
        assertThat(TwilioSignatureVerifier.urlVariants("https://a.example/p%20q?r=%26"))
                .containsExactly("https://a.example/p%20q?r=%26", "https://a.example:443/p%20q?r=%26");
        assertThat(TwilioSignatureVerifier.urlVariants("not a url")).containsExactly("not a url");
    }

    @Test
    void a_connection_without_an_auth_token_is_a_configuration_error() {
        assertThatIllegalArgumentException().isThrownBy(() -> verifier.verify(form(URL, PARAMS, SIGNATURE),
                new Credentials.BasicAuth("u", "p"), NOW));
    }

    /** The signature as Twilio's docs describe it, computed with the JDK's Mac. */
    static String independentSignature(String url, Map<String, String> params) throws Exception {
        StringBuilder data = new StringBuilder(url);
        new TreeMap<>(params).forEach((name, value) -> data.append(name).append(value));
        return Base64.getEncoder().encodeToString(jdkHmac("HmacSHA1", AUTH_TOKEN, utf8(data.toString())));
    }

    static String sha256Hex(byte[] body) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
    }
}

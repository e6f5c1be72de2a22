package io.hookpost.inbound;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static io.hookpost.inbound.Callbacks.BINARY;
import static io.hookpost.inbound.Callbacks.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class InboundRequestTest {

    @Test
    void headers_are_looked_up_whatever_their_case_and_two_spellings_are_one_header() {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("X-Hub-Signature-256", List.of("sha256=a"));
        headers.put("x-hub-signature-256", List.of("sha256=b"));
        headers.put("Content-Type", List.of("application/x-www-form-urlencoded; charset=UTF-8"));
        InboundRequest request = new InboundRequest("POST", "https://h.example/p", headers, null, null);

        assertThat(request.header("X-HUB-SIGNATURE-256")).contains("sha256=a");
        assertThat(request.headers().get("x-hub-signature-256")).containsExactly("sha256=a", "sha256=b");
        assertThat(request.header("X-Missing")).isEmpty();
        assertThat(request.body()).isEmpty();
        assertThat(request.contentType()).isEqualTo("application/x-www-form-urlencoded; charset=UTF-8");
        assertThat(request.hasMediaType("Application/X-WWW-Form-Urlencoded")).isTrue();
        assertThat(request.hasMediaType("application/json")).isFalse();
    }

    @Test
    void the_raw_query_is_taken_as_sent() {
        assertThat(Callbacks.get("https://h.example/p?a=%2B1&b=2#frag").rawQuery()).isEqualTo("a=%2B1&b=2");
        assertThat(Callbacks.get("https://h.example/p").rawQuery()).isEmpty();
        assertThat(Callbacks.get("https://h.example/p?").rawQuery()).isEmpty();
    }

    @Test
    void its_text_shows_no_query_header_or_body() {
        InboundRequest request = Callbacks.post("https://h.example/meta?hub.verify_token=tok3n", "application/json",
                utf8("{\"secret\":\"b0dy\"}"), "Authorization", "Basic dXNlcjpwYXNz");
        assertThat(request.toString()).contains("POST", "https://h.example/meta", "17 bytes")
                .doesNotContain("tok3n").doesNotContain("dXNlcjpwYXNz").doesNotContain("b0dy");
    }

    @Test
    void credentials_show_no_secret_and_refuse_to_be_empty() {
        assertThat(new Credentials.SharedSecret("hunter2").toString()).doesNotContain("hunter2");
        assertThat(new Credentials.BasicAuth("user", "hunter2").toString()).doesNotContain("hunter2").doesNotContain("user");
        assertThatIllegalArgumentException().isThrownBy(() -> new Credentials.SharedSecret(""));
        assertThatIllegalArgumentException().isThrownBy(() -> new Credentials.VerificationKey(null));
    }

    @Test
    void a_verdict_is_either_verified_or_refused_with_a_reason() {
        assertThat(Verdict.ok().verified()).isTrue();
        assertThat(Verdict.ok("tok").replayKey()).isEqualTo("tok");
        assertThat(Verdict.refused("no").reason()).isEqualTo("no");
        assertThatIllegalArgumentException().isThrownBy(() -> new Verdict(false, null, null));
        assertThatIllegalArgumentException().isThrownBy(() -> new Verdict(true, "why", null));
        assertThatIllegalArgumentException().isThrownBy(() -> new Verdict(false, "no", "tok"));
    }

    @Test
    void forms_are_decoded_strictly_as_utf8() {
        assertThat(FormUrlEncoded.parse("a=1+2&b=%C3%A9&a=&c&=x&&d=%2B"))
                .containsEntry("a", List.of("1 2", ""))
                .containsEntry("b", List.of("é"))
                .containsEntry("c", List.of(""))
                .containsEntry("", List.of("x"))
                .containsEntry("d", List.of("+"));
        assertThat(FormUrlEncoded.parse(utf8("name=Zoë 😀"))).containsEntry("name", List.of("Zoë 😀"));
        assertThat(FormUrlEncoded.parse("")).isEmpty();
        for (String bad : new String[] {"a=%", "a=%2", "a=%zz", "a=%C3", "a=%FF%FE"}) {
            assertThatIllegalArgumentException().as(bad).isThrownBy(() -> FormUrlEncoded.parse(bad));
        }
        assertThatIllegalArgumentException().isThrownBy(() -> FormUrlEncoded.parse(BINARY));
    }
}

package io.hookpost.api;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What a read-only portal session sees of an endpoint's URL: credentials in it hidden, the rest as it is. */
class CredentialHeadersTest {

    @Test
    void query_parameters_naming_a_credential_and_a_password_are_hidden_and_nothing_else() {
        assertThat(CredentialHeaders.hideInUrl("https://hooks.example.com/in?token=abc&x=1#top"))
                .isEqualTo("https://hooks.example.com/in?token=[hidden]&x=1#top");
        assertThat(CredentialHeaders.hideInUrl("https://h.example.com/p?API_KEY=1&access_Token=2&plain&auth="))
                .isEqualTo("https://h.example.com/p?API_KEY=[hidden]&access_Token=[hidden]&plain&auth=[hidden]");
        assertThat(CredentialHeaders.hideInUrl("https://user:pa%3Ass@h.example.com/p?x=1"))
                .isEqualTo("https://user:[hidden]@h.example.com/p?x=1");
        assertThat(CredentialHeaders.hideInUrl("https://user@h.example.com/p"))
                .isEqualTo("https://user@h.example.com/p");
        assertThat(CredentialHeaders.hideInUrl("https://h.example.com/a@b?x=1"))
                .isEqualTo("https://h.example.com/a@b?x=1");
        assertThat(CredentialHeaders.hideInUrl("https://h.example.com/in")).isEqualTo("https://h.example.com/in");
    }
}

package io.hookpost.inbound;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class MetaHandshakeTest {
    static final String URL = "https://hooks.example.com/inbound/whatsapp/con_1";
    static final String VERIFY_TOKEN = "meatballs & spaghetti";

    final MetaHandshake handshake = new MetaHandshake();

    @Test
    void the_right_token_gets_the_challenge_back_as_sent() {
        MetaHandshake.Answer answer = handshake.answer(Callbacks.get(URL
                + "?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatballs+%26+spaghetti"), VERIFY_TOKEN);
        assertThat(answer.accepted()).isTrue();
        assertThat(answer.challenge()).isEqualTo("1158201444");
        assertThat(answer.refusal()).isNull();
    }

    @Test
    void a_wrong_or_missing_token_mode_or_challenge_is_refused_without_echoing_the_token() {
        for (String query : new String[] {
                "?hub.mode=subscribe&hub.challenge=1&hub.verify_token=meatballs",
                "?hub.mode=subscribe&hub.challenge=1",
                "?hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=meatballs+%26+spaghetti",
                "?hub.challenge=1&hub.verify_token=meatballs+%26+spaghetti",
                "?hub.mode=subscribe&hub.verify_token=meatballs+%26+spaghetti",
                "?hub.mode=subscribe&hub.challenge=&hub.verify_token=meatballs+%26+spaghetti",
                "?hub.mode=subscribe&hub.challenge=1&hub.verify_token=%zz",
                ""}) {
            MetaHandshake.Answer answer = handshake.answer(Callbacks.get(URL + query), VERIFY_TOKEN);
            assertThat(answer.accepted()).as(query).isFalse();
            assertThat(answer.challenge()).isNull();
            assertThat(answer.refusal()).isNotBlank().doesNotContain("meatballs");
            assertThat(answer.toString()).doesNotContain("meatballs");
        }
    }

    @Test
    void an_empty_configured_token_is_a_configuration_error() {
        assertThatIllegalArgumentException().isThrownBy(() -> handshake.answer(Callbacks.get(URL
                + "?hub.mode=subscribe&hub.challenge=1&hub.verify_token="), ""));
    }
}

package io.hookpost;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.standardwebhooks.Webhook;
import io.hookpost.support.Api;
import io.hookpost.support.HookpostTest;
import io.hookpost.support.TestReceiver.Received;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * The README's story, from REST ingest to a real receiver: create an endpoint, publish an event, and the
 * receiver gets one signed POST it can verify; the database shows the event, the delivery and the attempt.
 * Runs on the embedded H2 here and on PostgreSQL in {@link EndToEndPostgresTest}.
 */
class EndToEndTest extends HookpostTest {

    @Test
    void a_published_event_reaches_every_subscribed_endpoint_signed_and_recorded() throws Exception {
        JsonNode first = createEndpoint(Map.of("url", receiver.url("/first"), "eventTypes", List.of("host.*"),
                "description", "ops pager"));
        JsonNode second = createEndpoint(Map.of("url", receiver.url("/second"), "eventTypes", List.of("host.offline"),
                "signatureScheme", "hmac-sha256-hex", "signatureHeader", "X-Webhook-Signature"));
        assertThat(first.get("secret").asText()).startsWith("whsec_");
        assertThat(first.get("active").asBoolean()).isTrue();
        assertThat(first.get("createdAt").asText()).isNotBlank();

        Api.Response listed = operator.get("/api/v1/accounts/" + account + "/endpoints");
        assertThat(listed.json()).extracting(n -> n.get("id").asText())
                .containsExactly(first.get("id").asText(), second.get("id").asText());

        String eventId = publish(Map.of("type", "host.offline", "data", Map.of("host", "web-1")));

        Received a = receiver.next(WAIT);
        Received b = receiver.next(WAIT);
        Received standard = a.path().equals("/first") ? a : b;
        Received hex = a.path().equals("/first") ? b : a;
        assertThatNoException().isThrownBy(() ->
                new Webhook(first.get("secret").asText()).verify(standard.bodyText(), standard.headers()));
        assertThat(hex.header("x-webhook-signature")).isEqualTo(
                io.hookpost.outbound.WebhookSigner.hex(second.get("secret").asText(), hex.body()));
        assertThat(standard.body()).isEqualTo(hex.body()); // one envelope, byte for byte
        assertThat(standard.header("webhook-id")).isNotEqualTo(hex.header("webhook-id"));

        eventually(() -> deliveriesOf(eventId).stream().allMatch(d -> "delivered".equals(d.get("status")))
                && deliveriesOf(eventId).size() == 2, "both deliveries are delivered");
        assertThat(count("SELECT COUNT(*) FROM attempts a JOIN deliveries d ON d.id = a.delivery_id"
                + " WHERE d.account_id = ? AND d.event_id = ? AND a.response_status = 200", account, eventId)).isEqualTo(2);
        assertThat(db.queryForObject("SELECT payload FROM events WHERE account_id = ? AND id = ?", String.class,
                account, eventId)).isEqualTo(standard.bodyText());
    }

    @Test
    void a_receivers_answer_holding_a_nul_character_is_recorded_and_the_delivery_delivered() throws Exception {
        // PostgreSQL's text columns take no NUL: unrecorded, the attempt was made again and again
        receiver.answer(r -> new io.hookpost.support.TestReceiver.Reply(200, Map.of(),
                new byte[] {'a', 0, 'b', (byte) 0xff}));
        createEndpoint(Map.of("url", receiver.url("/nul")));
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of()));

        eventually(() -> "delivered".equals(deliveriesOf(eventId).get(0).get("status")), "the delivery is delivered");
        assertThat(db.queryForObject("SELECT response_body FROM attempts WHERE delivery_id = ?", String.class,
                deliveriesOf(eventId).get(0).get("id"))).isEqualTo("a\uFFFDb\uFFFD");
        assertThat(receiver.drain(java.time.Duration.ofSeconds(1))).as("no POST after the first").hasSize(1);
    }
}

package io.hookpost.api;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookpost.support.Api;
import io.hookpost.support.HookpostTest;
import io.hookpost.support.TestReceiver.Reply;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code DELETE …/events/{eventId}/payload}: data an event should not have held is gone from the database and the API;
 * the event's history stays; nothing of it is sent again.
 */
class EventPayloadDeletionTest extends HookpostTest {
    private static final String SECRET = "078-05-1120";

    private String path(String rest) {
        return "/api/v1/accounts/" + account + rest;
    }

    private Map<String, Object> deliveryTo(String eventId, String endpointId) {
        return deliveriesOf(eventId).stream().filter(d -> d.get("endpoint_id").equals(endpointId)).findFirst()
                .orElseThrow();
    }

    @Test
    void a_deleted_payload_is_gone_its_history_stays_and_none_of_its_deliveries_is_sent_again() throws Exception {
        // the receivers echo the data they got, in the body and a header, as error pages and debugging receivers do
        receiver.answer(r -> new Reply(r.path().equals("/down") ? 500 : 200, Map.of("X-Echo", r.bodyText()), r.body()));
        String up = createEndpoint(Map.of("url", receiver.url("/up"))).get("id").asText();
        String down = createEndpoint(Map.of("url", receiver.url("/down"), "retrySchedule", List.of("1h")))
                .get("id").asText();
        String paused = createEndpoint(Map.of("url", receiver.url("/paused"), "active", false)).get("id").asText();
        Api.Response published = operator.send("POST", path("/events"),
                Map.of("type", "user.created", "data", Map.of("ssn", SECRET)), Map.of("Idempotency-Key", "signup-1"));
        assertThat(published.status()).as(published.text()).isEqualTo(202);
        String eventId = published.json().get("id").asText();
        eventually(() -> deliveriesOf(eventId).size() == 3
                && "delivered".equals(deliveryTo(eventId, up).get("status"))
                && ((Number) deliveryTo(eventId, down).get("attempts")).intValue() == 1
                && deliveryTo(eventId, down).get("lease_owner") == null
                && "held".equals(deliveryTo(eventId, paused).get("status")), "delivered, pending a retry, held");
        String delivered = (String) deliveryTo(eventId, up).get("id");
        String pending = (String) deliveryTo(eventId, down).get("id");
        assertThat(receiver.drain(Duration.ofMillis(300))).hasSize(2);

        Api.Response deleted = operator.delete(path("/events/" + eventId + "/payload"));
        assertThat(deleted.status()).as(deleted.text()).isEqualTo(204);
        assertThat(deleted.text()).isEmpty();

        // gone from the database, the event and its attempts; the rest of its history as it was
        assertThat(count("SELECT COUNT(*) FROM events WHERE account_id = ? AND payload LIKE ?", account,
                "%" + SECRET + "%")).isZero();
        JsonNode event = operator.get(path("/events/" + eventId)).json();
        assertThat(event.get("payload").isNull()).isTrue();
        String deletedAt = event.get("payloadDeletedAt").asText();
        assertThat(OffsetDateTime.parse(deletedAt)).isAfter(OffsetDateTime.now().minusMinutes(1));
        assertThat(event.get("type").asText()).isEqualTo("user.created");
        assertThat(event.get("deliveries"))
                .extracting(d -> d.get("endpointId").asText() + " " + d.get("status").asText())
                .containsExactlyInAnyOrder(up + " delivered", down + " discarded", paused + " discarded");
        JsonNode listed = operator.get(path("/events")).json().get("data").get(0);
        assertThat(listed.get("id").asText()).isEqualTo(eventId);
        assertThat(listed.get("payloadDeletedAt").asText()).isEqualTo(deletedAt);
        JsonNode sent = operator.get(path("/endpoints/" + up + "/attempts")).json().at("/data/0");
        assertThat(sent.get("requestBody").isNull()).isTrue();
        assertThat(sent.get("responseStatus").asInt()).isEqualTo(200);
        JsonNode refused = operator.get(path("/deliveries/" + pending + "/attempts")).json().at("/data/0");
        assertThat(refused.get("requestBody").isNull()).isTrue();
        assertThat(refused.get("responseStatus").asInt()).isEqualTo(500);
        assertThat(refused.get("responseBody").isNull()).isTrue();
        assertThat(refused.get("responseHeaders").isNull()).isTrue();
        for (String attempts : List.of("/endpoints/" + up + "/attempts", "/endpoints/" + down + "/attempts",
                "/deliveries/" + pending + "/attempts", "/deliveries/" + delivered + "/attempts")) {
            assertThat(operator.get(path(attempts)).text()).as(attempts).doesNotContain(SECRET);
        }
        assertThat(count("SELECT COUNT(*) FROM attempts WHERE account_id = ? AND (response_body LIKE ? OR"
                + " response_headers LIKE ?)", account, "%" + SECRET + "%", "%" + SECRET + "%")).isZero();

        // and nothing of it goes out again: not retried, recovered, released by enabling, or due by its schedule
        assertProblem(operator.post(path("/deliveries/" + delivered + "/retry"), Map.of()), 409, "payload was deleted");
        assertProblem(operator.post(path("/deliveries/" + pending + "/retry"), Map.of()), 409, "payload was deleted");
        assertThat(operator.post(path("/endpoints/" + down + "/recover"),
                Map.of("since", OffsetDateTime.now().minusHours(1).toString())).json().get("recovered").asInt())
                .isZero();
        assertThat(operator.post(path("/endpoints/" + paused + "/enable"), Map.of()).status()).isEqualTo(200);
        db.update("UPDATE deliveries SET next_attempt_at = ? WHERE id = ?", OffsetDateTime.now().minusSeconds(1),
                pending);
        // the same key again, with other data: the event is there (its payload not to compare), a repeat as before
        Api.Response repeated = operator.send("POST", path("/events"),
                Map.of("type", "user.created", "data", Map.of("ssn", "other")), Map.of("Idempotency-Key", "signup-1"));
        assertThat(repeated.status()).as(repeated.text()).isEqualTo(202);
        assertThat(repeated.json().get("id").asText()).isEqualTo(eventId);
        assertThat(receiver.drain(Duration.ofSeconds(3))).isEmpty();
        assertThat(count("SELECT COUNT(*) FROM events WHERE account_id = ? AND id = ? AND payload IS NULL", account,
                eventId)).isEqualTo(1);
        assertThat(deliveriesOf(eventId)).extracting(d -> d.get("status"))
                .containsExactlyInAnyOrder("delivered", "discarded", "discarded");

        // an account's own key may delete it too; a second time changes nothing
        Api admin = operator.withKey(operator.post(path("/api-keys"), Map.of()).json().get("key").asText());
        assertThat(admin.delete(path("/events/" + eventId + "/payload")).status()).isEqualTo(204);
        assertThat(operator.get(path("/events/" + eventId)).json().get("payloadDeletedAt").asText())
                .isEqualTo(deletedAt);
    }

    @Test
    void an_unknown_or_foreign_event_is_404_and_a_portal_session_may_not_delete_a_payload() throws Exception {
        receiver.answer(r -> Reply.ok());
        createEndpoint(Map.of("url", receiver.url("/up")));
        String eventId = publish(Map.of("type", "user.created", "data", Map.of("ssn", SECRET)));
        receiver.next(WAIT);
        String other = "other-" + account;
        assertThat(operator.post("/api/v1/accounts", Map.of("name", "Other", "id", other)).status()).isEqualTo(201);
        Api otherAdmin = operator.withKey(operator.post("/api/v1/accounts/" + other + "/api-keys", Map.of()).json()
                .get("key").asText());

        assertProblem(operator.delete(path("/events/evt-unknown/payload")), 404, "No event 'evt-unknown'");
        assertProblem(operator.delete("/api/v1/accounts/" + other + "/events/" + eventId + "/payload"), 404,
                "No event");
        assertProblem(otherAdmin.delete(path("/events/" + eventId + "/payload")), 404, "No account");
        Api session = operator.withKey(operator.post(path("/portal-access"), Map.of()).json().get("token").asText());
        assertProblem(session.delete(path("/events/" + eventId + "/payload")), 403, "portal session");

        assertThat(count("SELECT COUNT(*) FROM events WHERE account_id = ? AND id = ? AND payload LIKE ?"
                + " AND payload_deleted_at IS NULL", account, eventId, "%" + SECRET + "%")).isEqualTo(1);
    }
}

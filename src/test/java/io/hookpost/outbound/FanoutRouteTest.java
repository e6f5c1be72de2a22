package io.hookpost.outbound;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

import io.hookpost.support.Api;
import io.hookpost.support.HookpostTest;
import org.apache.camel.ConsumerTemplate;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/** The fan-out route: which endpoints get a delivery, exactly once, from the API or straight from the queue. */
class FanoutRouteTest extends HookpostTest {
    @Autowired
    ProducerTemplate producer;
    @Autowired
    ConsumerTemplate consumer;
    @Autowired
    org.springframework.transaction.PlatformTransactionManager transactions;

    @Test
    void events_recorded_together_insert_each_event_with_its_deliveries_and_a_repeat_sends_the_batch_back() {
        String endpointA = createEndpoint(Map.of("url", receiver.url("/a"))).get("id").asText();
        String endpointB = createEndpoint(Map.of("url", receiver.url("/b"))).get("id").asText();
        var transaction = new org.springframework.transaction.support.TransactionTemplate(transactions);
        Map<String, Object> first = eventRow("evt-batch-1", List.of(endpointA, endpointB));
        Map<String, Object> second = eventRow("evt-batch-2", List.of());

        transaction.executeWithoutResult(status -> producer.requestBody("direct:record-events", List.of(first, second)));

        assertThat(count("SELECT COUNT(*) FROM events WHERE account_id = ?", account)).isEqualTo(2);
        assertThat(deliveriesOf("evt-batch-1")).extracting(d -> d.get("endpoint_id"))
                .containsExactlyInAnyOrder(endpointA, endpointB);
        assertThat(deliveriesOf("evt-batch-2")).isEmpty();

        // a batch with an event recorded already fails as a whole; the group commit then records each on its own
        Map<String, Object> third = eventRow("evt-batch-3", List.of(endpointA));
        Map<String, Object> repeat = eventRow("evt-batch-1", List.of(endpointA));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> transaction.executeWithoutResult(
                status -> producer.requestBody("direct:record-events", List.of(third, repeat))))
                .hasRootCauseMessage("Some events of the batch are recorded already: each is recorded on its own");
        assertThat(count("SELECT COUNT(*) FROM events WHERE account_id = ?", account)).isEqualTo(2);
        assertThat(count("SELECT COUNT(*) FROM deliveries WHERE account_id = ?", account)).isEqualTo(2);

        // a batch whose events have no subscriber inserts the events and no delivery
        transaction.executeWithoutResult(status -> producer.requestBody("direct:record-events",
                List.of(eventRow("evt-batch-4", List.of()), eventRow("evt-batch-5", List.of()))));
        assertThat(count("SELECT COUNT(*) FROM events WHERE account_id = ?", account)).isEqualTo(4);
        assertThat(count("SELECT COUNT(*) FROM deliveries WHERE account_id = ?", account)).isEqualTo(2);
    }

    /** An event row as the fan-out hands it to the group commit: with held deliveries (none is sent) to the endpoints. */
    private Map<String, Object> eventRow(String id, List<String> endpoints) {
        OffsetDateTime now = OffsetDateTime.now();
        Map<String, Object> event = new java.util.HashMap<>(Map.of("account_id", account, "id", id, "type", "host.offline",
                "occurred_at", now, "payload", "{}", "source", "queue", "created_at", now));
        event.put("channels", null);
        event.put("deliveries", endpoints.stream().map(endpoint -> {
            Map<String, Object> delivery = new java.util.HashMap<>(Map.of("id", io.hookpost.Ids.next("msg"),
                    "account_id", account, "event_id", id, "endpoint_id", endpoint, "status", "held", "created_at", now));
            delivery.put("envelope", "standard");
            delivery.put("next_attempt_at", null);
            delivery.put("lease_owner", null);
            delivery.put("lease_until", null);
            return delivery;
        }).toList());
        return event;
    }

    @Test
    void wildcard_exact_and_category_subscriptions_match_and_others_do_not() throws Exception {
        String type = account + ".host.offline"; // the catalog is global: a type of this test's own
        db.update("INSERT INTO event_types (name, category, created_at) VALUES (?, ?, ?)",
                type, "Incident Reports " + account, OffsetDateTime.now());
        String wildcard = createEndpoint(Map.of("url", receiver.url("/a"), "eventTypes", List.of(account + ".host.*"))).get("id").asText();
        createEndpoint(Map.of("url", receiver.url("/b"), "eventTypes", List.of(account + ".host")));
        String category = createEndpoint(Map.of("url", receiver.url("/c"), "categories", List.of("Incident Reports " + account))).get("id").asText();
        String all = createEndpoint(Map.of("url", receiver.url("/d"))).get("id").asText();
        createEndpoint(Map.of("url", receiver.url("/e"), "eventTypes", List.of("ticket.*"), "categories", List.of("Other")));

        String eventId = publish(Map.of("type", type, "data", Map.of()));

        eventually(() -> deliveriesOf(eventId).size() == 3, "three deliveries are recorded");
        assertThat(deliveriesOf(eventId)).extracting(d -> d.get("endpoint_id"))
                .containsExactlyInAnyOrder(wildcard, category, all);
        assertThat(List.of(receiver.next(WAIT).path(), receiver.next(WAIT).path(), receiver.next(WAIT).path()))
                .containsExactlyInAnyOrder("/a", "/c", "/d");
        assertThat(receiver.drain(Duration.ofMillis(500))).isEmpty();
    }

    @Test
    void a_repeated_event_id_is_fanned_out_once() throws Exception {
        createEndpoint(Map.of("url", receiver.url("/once")));
        Map<String, Object> event = Map.of("id", "evt-dup-1", "type", "host.offline", "data", Map.of("n", 1));
        assertThat(publish(event)).isEqualTo("evt-dup-1");
        assertThat(publish(event)).isEqualTo("evt-dup-1");

        receiver.next(WAIT);
        assertThat(receiver.drain(Duration.ofSeconds(1))).isEmpty();
        assertThat(deliveriesOf("evt-dup-1")).hasSize(1);
        assertThat(count("SELECT COUNT(*) FROM events WHERE account_id = ?", account)).isEqualTo(1);
    }

    @Test
    void a_repeated_idempotency_key_answers_the_same_id_and_is_fanned_out_once() throws Exception {
        createEndpoint(Map.of("url", receiver.url("/idem")));
        Map<String, Object> event = Map.of("type", "host.offline", "data", Map.of("n", 1));
        Api.Response first = operator.post("/api/v1/accounts/" + account + "/events", event, Map.of("Idempotency-Key", "order-42"));
        Api.Response second = operator.post("/api/v1/accounts/" + account + "/events", event, Map.of("Idempotency-Key", "order-42"));
        Api.Response other = operator.post("/api/v1/accounts/" + account + "/events", event, Map.of("Idempotency-Key", "order-43"));

        assertThat(first.status()).isEqualTo(202);
        assertThat(second.json().get("id")).isEqualTo(first.json().get("id"));
        assertThat(other.json().get("id")).isNotEqualTo(first.json().get("id"));
        receiver.next(WAIT);
        receiver.next(WAIT);
        assertThat(receiver.drain(Duration.ofSeconds(1))).isEmpty();
        assertThat(count("SELECT COUNT(*) FROM deliveries WHERE account_id = ?", account)).isEqualTo(2);
    }

    @Test
    void an_idempotency_key_sent_again_with_another_event_gets_422_and_nothing_more_is_sent() throws Exception {
        createEndpoint(Map.of("url", receiver.url("/idem")));
        String events = "/api/v1/accounts/" + account + "/events";
        Map<String, String> key = Map.of("Idempotency-Key", "order-77");
        Api.Response first = operator.post(events, Map.of("type", "order.paid", "data", Map.of("total", 1.10)), key);
        assertThat(first.status()).isEqualTo(202);
        assertThat(receiver.next(WAIT).bodyText()).contains("\"data\":{\"total\":1.1");

        // the same request again (stamped anew, as the first was) is the same event
        Api.Response again = operator.post(events, Map.of("type", "order.paid", "data", Map.of("total", 1.10)), key);
        assertThat(again.status()).isEqualTo(202);
        assertThat(again.json().get("id")).isEqualTo(first.json().get("id"));
        assertProblem(operator.post(events, Map.of("type", "order.paid", "data", Map.of("total", 2.20)), key),
                422, "The Idempotency-Key 'order-77' was used for event " + first.json().get("id").asText());
        assertProblem(operator.post(events, Map.of("type", "order.refunded", "data", Map.of("total", 1.10)), key),
                422, "another type, data or channels");
        assertProblem(operator.post(events, Map.of("type", "order.paid", "data", Map.of("total", 1.10),
                "channels", List.of("shop_1")), key), 422, "another type, data or channels");
        assertProblem(operator.post(events, Map.of("type", "order.paid", "timestamp", "2026-01-31T12:00:00Z",
                "data", Map.of("total", 1.10)), key), 422, "another type, data, timestamp or channels");

        assertThat(receiver.drain(Duration.ofSeconds(1))).isEmpty();
        assertThat(count("SELECT COUNT(*) FROM events WHERE account_id = ?", account)).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM deliveries WHERE account_id = ?", account)).isEqualTo(1);
    }

    @Test
    void an_event_timestamp_past_year_9999_is_refused_at_once_not_accepted_and_parked() throws Exception {
        createEndpoint(Map.of("url", receiver.url("/far"), "eventTypes", List.of("far.*")));
        String events = "/api/v1/accounts/" + account + "/events";
        // +999999999-…-18:00 was written +1000000000-…Z, answered 202, and parked invalid by the fan-out: lost
        for (String far : List.of("+999999999-12-31T23:59:59-18:00", "+999999999-12-31T23:59:59Z",
                "+10000-01-01T00:00:00Z", "-0001-01-01T00:00:00Z")) {
            assertProblem(operator.post(events, Map.of("type", "far.away", "timestamp", far, "data", Map.of())), 400,
                    "years 1 to 9999");
        }
        Api.Response last = operator.post(events, Map.of("type", "far.last", "timestamp", "9999-12-31T23:59:59.999999Z",
                "data", Map.of()));
        assertThat(last.status()).as(last.text()).isEqualTo(202);
        assertThat(receiver.next(WAIT).bodyText()).contains("\"timestamp\":\"9999-12-31T23:59:59.999999Z\"");
        assertThat(receiver.drain(Duration.ofMillis(500))).isEmpty();
    }

    @Test
    void json_put_straight_on_the_events_queue_is_delivered_like_an_api_event() throws Exception {
        createEndpoint(Map.of("url", receiver.url("/from-queue"), "eventTypes", List.of("finding.created")));
        producer.sendBody("jms:queue:hookpost.events", ("{\"account\":\"" + account + "\",\"id\":\"f-1\","
                + "\"type\":\"finding.created\",\"data\":{\"severity\":\"high\"}}").getBytes());

        var post = receiver.next(WAIT);
        assertThat(post.bodyText()).startsWith("{\"id\":\"f-1\",\"type\":\"finding.created\"")
                .endsWith("\"data\":{\"severity\":\"high\"}}");
        assertThat(db.queryForObject("SELECT source FROM events WHERE account_id = ? AND id = 'f-1'", String.class, account))
                .isEqualTo("queue");
    }

    @Test
    void a_queue_message_that_can_never_be_an_event_is_parked_not_lost() {
        producer.sendBody("jms:queue:hookpost.events", "{\"account\":\"" + account + "\",\"data\":{}}");
        String parked = consumer.receiveBody("jms:queue:hookpost.events.invalid", WAIT.toMillis(), String.class);
        assertThat(parked).isEqualTo("{\"account\":\"" + account + "\",\"data\":{}}");

        producer.sendBody("jms:queue:hookpost.events", "{\"account\":\"no-such-account\",\"type\":\"a.b\",\"data\":{}}");
        assertThat(consumer.receiveBody("jms:queue:hookpost.events.invalid", WAIT.toMillis(), String.class))
                .contains("no-such-account");
    }

    @Test
    void the_queue_consumers_hand_their_own_session_to_the_route(@Autowired org.apache.camel.CamelContext camel) {
        // otherwise Spring borrows another pooled connection and opens another session for every message received
        // (the parking above sends from a consumer's thread and still reaches the invalid queue)
        for (String route : List.of("fanout", "inbound-normalise")) {
            var endpoint = (org.apache.camel.component.jms.JmsEndpoint) camel.getRoute(route).getEndpoint();
            assertThat(endpoint.getConfiguration().isExposeListenerSession()).as(route).isTrue();
        }
    }

    @Test
    void the_events_queue_never_drops_a_message_whose_fan_out_failed(
            @Autowired org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ broker) {
        var settings = broker.getActiveMQServer().getAddressSettingsRepository().getMatch("hookpost.events");
        assertThat(settings.getMaxDeliveryAttempts()).isEqualTo(-1);
        assertThat(settings.getRedeliveryDelay()).isEqualTo(1000);
        assertThat(settings.getMaxRedeliveryDelay()).isEqualTo(60_000);
    }

    @Test
    void a_disabled_endpoint_gets_a_held_delivery_and_no_post() throws Exception {
        createEndpoint(Map.of("url", receiver.url("/off"), "active", false));
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of()));

        eventually(() -> deliveriesOf(eventId).size() == 1, "a delivery is recorded");
        assertThat(deliveriesOf(eventId).get(0).get("status")).isEqualTo("held");
        assertThat(receiver.drain(Duration.ofSeconds(1))).isEmpty();
    }
}

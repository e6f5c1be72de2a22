package io.hookpost.ops;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookpost.HookpostProperties;
import io.hookpost.support.AdminWebhook;
import io.hookpost.support.HookpostTest;
import io.hookpost.support.TestReceiver.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin webhooks hear of a delivery that keeps failing, and of its getting through after all, and when the failures
 * that disabled an endpoint began.
 */
class DeliveryOpsEventsTest extends HookpostTest {
    @Autowired
    HookpostProperties properties;
    private final List<AdminWebhook> admins = new ArrayList<>();

    @AfterEach
    void removeAdminWebhooks() {
        admins.forEach(AdminWebhook::close);
    }

    private AdminWebhook adminWebhook(String... types) throws Exception {
        AdminWebhook admin = new AdminWebhook(operator, properties.ops().accountId(), List.of(types));
        admins.add(admin);
        return admin;
    }

    private String delivery(String eventId) {
        return (String) deliveriesOf(eventId).get(0).get("id");
    }

    private Map<String, Object> deliveryRow(String eventId) {
        return deliveriesOf(eventId).get(0);
    }

    @Test
    void an_endpoint_its_failures_disable_tells_the_admin_when_they_began() throws Exception {
        AdminWebhook admin = adminWebhook("endpoint.disabled");
        receiver.answer(r -> Reply.status(503));
        String endpointId = createEndpoint(Map.of("url", receiver.url("/dying"), "disableAfterFailures", 2,
                "retrySchedule", List.of("0s", "0s"))).get("id").asText();
        publish(Map.of("type", "host.offline", "data", Map.of()));
        JsonNode told = admin.eventAbout("endpointId", endpointId).get("data");
        JsonNode endpoint = operator.get("/api/v1/accounts/" + account + "/endpoints/" + endpointId).json();
        assertThat(endpoint.get("consecutiveFailures").asInt()).isEqualTo(2);
        assertThat(told.get("trigger").asText()).isEqualTo("automatic");
        assertThat(told.get("failSince").asText()).as("Svix's failSince, as the database has it")
                .isEqualTo(endpoint.get("failingSince").asText());
        assertThat(told.get("disabledAt").asText()).isEqualTo(endpoint.get("disabledAt").asText());
    }

    @Test
    void a_delivery_failing_for_the_fourth_time_tells_the_admin_once_before_its_schedule_runs_out() throws Exception {
        AdminWebhook admin = adminWebhook("delivery.failing", "delivery.exhausted");
        receiver.answer(r -> Reply.status(503));
        String endpointId = createEndpoint(Map.of("url", receiver.url("/failing"),
                "retrySchedule", List.of("0s", "0s", "0s", "0s", "0s"))).get("id").asText();
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of()));
        for (int n = 0; n < 6; n++) {
            receiver.next(WAIT);
        }
        eventually(() -> "failed".equals(deliveryRow(eventId).get("status")), "the schedule runs out");
        JsonNode endpoint = operator.get("/api/v1/accounts/" + account + "/endpoints/" + endpointId).json();
        assertThat(endpoint.get("consecutiveFailures").asInt()).isEqualTo(6);
        assertThat(endpoint.get("failingSince").isTextual()).as(endpoint.toString()).isTrue();

        // the two may come in either order: the admin webhook takes more than one at a time
        Map<String, JsonNode> told = new java.util.HashMap<>();
        for (int n = 0; n < 2; n++) {
            JsonNode event = admin.eventAbout("deliveryId", delivery(eventId));
            told.put(event.get("type").asText(), event);
        }
        assertThat(told).containsOnlyKeys("delivery.failing", "delivery.exhausted");
        JsonNode failing = told.get("delivery.failing");
        assertThat(failing.path("data").path("attempts").asInt()).isEqualTo(4);
        assertThat(failing.path("data").path("endpointId").asText()).isEqualTo(endpointId);
        assertThat(failing.path("data").path("accountId").asText()).isEqualTo(account);
        assertThat(failing.path("data").path("lastResponseStatus").asInt()).isEqualTo(503);
        assertThat(failing.path("data").path("url").asText()).isEqualTo(receiver.url("/failing"));
        assertThat(admin.drain(Duration.ofMillis(1500)).stream()
                .filter(body -> body.contains(delivery(eventId)))).as("once each").isEmpty();
    }

    @Test
    void a_delivery_told_as_failing_tells_once_that_it_got_through_and_one_that_never_failed_so_long_nothing()
            throws Exception {
        AdminWebhook admin = adminWebhook("delivery.failing", "delivery.recovered");
        AtomicInteger late = new AtomicInteger();
        AtomicInteger early = new AtomicInteger();
        // five failures then a 200 for one delivery; three failures then a 200 for the other
        receiver.answer(r -> r.path().equals("/late") ? (late.incrementAndGet() <= 5 ? Reply.status(503) : Reply.ok())
                : (early.incrementAndGet() <= 3 ? Reply.status(503) : Reply.ok()));
        String lateEndpoint = createEndpoint(Map.of("url", receiver.url("/late"), "eventTypes", List.of("host.late"),
                "retrySchedule", List.of("0s", "0s", "0s", "0s", "0s", "0s"))).get("id").asText();
        createEndpoint(Map.of("url", receiver.url("/early"), "eventTypes", List.of("host.early"),
                "retrySchedule", List.of("0s", "0s", "0s", "0s", "0s", "0s")));
        String lateEvent = publish(Map.of("type", "host.late", "data", Map.of()));
        String earlyEvent = publish(Map.of("type", "host.early", "data", Map.of()));
        for (int n = 0; n < 10; n++) {
            receiver.next(WAIT);
        }
        eventually(() -> "delivered".equals(deliveryRow(lateEvent).get("status"))
                && "delivered".equals(deliveryRow(earlyEvent).get("status")), "both delivered in the end");

        Map<String, JsonNode> told = new java.util.HashMap<>();
        for (int n = 0; n < 2; n++) {
            JsonNode event = admin.eventAbout("deliveryId", delivery(lateEvent));
            told.put(event.get("type").asText(), event);
        }
        assertThat(told).containsOnlyKeys("delivery.failing", "delivery.recovered");
        JsonNode recovered = told.get("delivery.recovered").path("data");
        assertThat(recovered.path("attempts").asInt()).isEqualTo(6);
        assertThat(recovered.path("endpointId").asText()).isEqualTo(lateEndpoint);
        assertThat(recovered.path("accountId").asText()).isEqualTo(account);
        assertThat(recovered.path("lastResponseStatus").asInt()).isEqualTo(200);
        assertThat(recovered.path("url").asText()).isEqualTo(receiver.url("/late"));
        JsonNode endpoint = operator.get("/api/v1/accounts/" + account + "/endpoints/" + lateEndpoint).json();
        assertThat(endpoint.get("consecutiveFailures").asInt()).as("its run of failures ended").isZero();
        assertThat(endpoint.get("failingSince").isNull()).isTrue();
        assertThat(admin.drain(Duration.ofMillis(1500)).stream()
                .filter(body -> body.contains(delivery(lateEvent)) || body.contains(delivery(earlyEvent))))
                .as("once, and nothing of the delivery that got through at its fourth attempt").isEmpty();
        assertThat(db.queryForObject("SELECT COUNT(*) FROM events WHERE account_id = ? AND type = 'delivery.recovered'"
                + " AND id LIKE ?", Integer.class, properties.ops().accountId(), "%:" + delivery(earlyEvent)))
                .as("nothing recorded of the one that got through at its fourth attempt").isZero();
    }
}

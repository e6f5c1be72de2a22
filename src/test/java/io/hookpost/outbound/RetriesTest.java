package io.hookpost.outbound;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookpost.HookpostProperties;
import io.hookpost.support.AdminWebhook;
import io.hookpost.support.Api;
import io.hookpost.support.HookpostTest;
import io.hookpost.support.TestReceiver;
import io.hookpost.support.TestReceiver.Received;
import io.hookpost.support.TestReceiver.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/** Retries, failure classification, auto-disable and recovery, seen by receivers and in the database. */
class RetriesTest extends HookpostTest {
    @Autowired
    HookpostProperties properties;
    @Autowired
    io.micrometer.core.instrument.MeterRegistry metrics;
    private final List<AdminWebhook> admins = new ArrayList<>();

    @AfterEach
    void removeAdminWebhooks() {
        admins.forEach(AdminWebhook::close);
    }

    private String delivery(String eventId) {
        return (String) deliveriesOf(eventId).get(0).get("id");
    }

    private Map<String, Object> deliveryRow(String eventId) {
        return deliveriesOf(eventId).get(0);
    }

    /** An admin webhook on the ops account that gets the given operational event types. */
    private AdminWebhook adminWebhook(String... types) throws Exception {
        AdminWebhook admin = new AdminWebhook(operator, properties.ops().accountId(), List.of(types));
        admins.add(admin);
        return admin;
    }

    @Test
    void failed_attempts_are_retried_on_the_endpoints_schedule_with_the_same_webhook_id_and_body() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        receiver.answer(r -> calls.incrementAndGet() <= 2 ? Reply.status(500) : Reply.ok());
        createEndpoint(Map.of("url", receiver.url("/flaky"), "retrySchedule", List.of("0s", "1s", "1s")));
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of("n", 1)));

        Received first = receiver.next(WAIT);
        Received second = receiver.next(WAIT);
        Received third = receiver.next(WAIT);
        assertThat(List.of(second.header("webhook-id"), third.header("webhook-id"))).containsOnly(first.header("webhook-id"));
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(third.body()).isEqualTo(first.body());
        assertThat(List.of(first.header("x-webhook-delivery"), second.header("x-webhook-delivery"),
                third.header("x-webhook-delivery"))).doesNotHaveDuplicates();

        eventually(() -> "delivered".equals(deliveryRow(eventId).get("status")), "the third attempt delivers");
        assertThat(deliveryRow(eventId).get("attempts")).isEqualTo(3);
        assertThat(db.queryForList("SELECT response_status FROM attempts WHERE delivery_id = ? ORDER BY attempt_number",
                Integer.class, delivery(eventId))).containsExactly(500, 500, 200);
        assertThat(receiver.drain(Duration.ofMillis(1500))).isEmpty();
    }

    @Test
    void delays_beyond_the_in_process_limit_wait_in_the_database_and_the_scheduler_sends_them() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        receiver.answer(r -> calls.incrementAndGet() == 1 ? Reply.status(503) : Reply.ok());
        createEndpoint(Map.of("url", receiver.url("/later"), "retrySchedule", List.of("30m")));
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of()));

        receiver.next(WAIT);
        eventually(() -> deliveryRow(eventId).get("lease_owner") == null
                && deliveryRow(eventId).get("next_attempt_at") != null, "the retry is scheduled in the database");
        OffsetDateTime next = toTime(deliveryRow(eventId).get("next_attempt_at"));
        assertThat(Duration.between(Instant.now(), next.toInstant())).isBetween(Duration.ofMinutes(29), Duration.ofMinutes(34));
        assertThat(receiver.drain(Duration.ofMillis(1500))).isEmpty();

        // time passes: the retry falls due, and the scheduler (camel-quartz) claims and sends it
        db.update("UPDATE deliveries SET next_attempt_at = ? WHERE id = ?", OffsetDateTime.now(ZoneOffset.UTC), delivery(eventId));
        assertThat(receiver.next(WAIT).header("webhook-id")).isEqualTo(delivery(eventId));
        eventually(() -> "delivered".equals(deliveryRow(eventId).get("status")), "the scheduled retry delivers");
        assertThat(db.queryForObject("SELECT trigger_kind FROM attempts WHERE delivery_id = ? AND attempt_number = 2",
                String.class, delivery(eventId))).isEqualTo("scheduled");
    }

    @Test
    void an_exhausted_schedule_marks_the_delivery_failed_tells_the_admin_and_a_manual_retry_sends_it_again()
            throws Exception {
        AdminWebhook admin = adminWebhook("delivery.exhausted");
        receiver.answer(r -> Reply.status(500));
        createEndpoint(Map.of("url", receiver.url("/down"), "retrySchedule", List.of("0s")));
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of()));

        receiver.next(WAIT);
        receiver.next(WAIT);
        eventually(() -> "failed".equals(deliveryRow(eventId).get("status")), "the delivery is failed");
        JsonNode exhausted = admin.eventAbout("deliveryId", delivery(eventId));
        assertThat(exhausted.get("type").asText()).isEqualTo("delivery.exhausted");
        assertThat(db.queryForObject("SELECT source FROM events WHERE id = ?", String.class, exhausted.get("id").asText()))
                .as("recorded as Hookpost's own event").isEqualTo("system");
        assertThat(exhausted.path("data").path("attempts").asInt()).isEqualTo(2);
        assertThat(exhausted.path("data").path("lastResponseStatus").asInt()).isEqualTo(500);
        assertThat(exhausted.path("data").path("url").asText()).isEqualTo(receiver.url("/down"));
        assertThat(receiver.drain(Duration.ofMillis(1000))).isEmpty();

        // a manual retry of a delivery whose schedule ran out is one attempt: failing, it goes back to failed without
        // telling the admin again
        assertThat(operator.post("/api/v1/accounts/" + account + "/deliveries/" + delivery(eventId) + "/retry", Map.of())
                .status()).isEqualTo(202);
        receiver.next(WAIT);
        eventually(() -> "failed".equals(deliveryRow(eventId).get("status"))
                && ((Number) deliveryRow(eventId).get("attempts")).intValue() == 3, "the manual retry failed");
        assertThat(receiver.drain(Duration.ofMillis(1000))).as("no retry of a manual retry").isEmpty();
        assertThat(admin.drain(Duration.ofMillis(500))).as("no second delivery.exhausted").isEmpty();

        receiver.answer(r -> Reply.ok());
        Api.Response retry = operator.post("/api/v1/accounts/" + account + "/deliveries/" + delivery(eventId) + "/retry", Map.of());
        assertThat(retry.status()).as(retry.text()).isEqualTo(202);
        assertThat(receiver.next(WAIT).header("webhook-id")).isEqualTo(delivery(eventId));
        eventually(() -> "delivered".equals(deliveryRow(eventId).get("status")), "the manual retry delivers");
    }

    @Test
    void pausing_an_endpoint_holds_its_deliveries_waiting_for_a_retry_until_they_are_recovered() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        receiver.answer(r -> calls.incrementAndGet() == 1 ? Reply.status(500) : Reply.ok());
        String endpointId = createEndpoint(Map.of("url", receiver.url("/paused"), "retrySchedule", List.of("1h")))
                .get("id").asText();
        OffsetDateTime start = OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(1);
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of()));
        receiver.next(WAIT);
        eventually(() -> deliveryRow(eventId).get("next_attempt_at") != null
                && ((Number) deliveryRow(eventId).get("attempts")).intValue() == 1, "its retry is an hour away");

        String path = "/api/v1/accounts/" + account + "/endpoints/" + endpointId;
        assertThat(operator.patch(path, Map.of("active", false)).status()).isEqualTo(200);
        assertThat(deliveryRow(eventId).get("status")).as("held by the pause, as an auto-disable holds it")
                .isEqualTo("held");
        assertThat(operator.patch(path, Map.of("active", true)).status()).isEqualTo(200);
        db.update("UPDATE deliveries SET next_attempt_at = ? WHERE id = ?", start, delivery(eventId));
        assertThat(receiver.drain(Duration.ofMillis(1500))).as("not sent by resuming").isEmpty();
        assertThat(deliveryRow(eventId).get("status")).isEqualTo("held");

        Api.Response recovered = operator.post(path + "/recover", Map.of("since", start.toString()));
        assertThat(recovered.json().get("recovered").asInt()).as(recovered.text()).isEqualTo(1);
        assertThat(receiver.next(WAIT).header("webhook-id")).isEqualTo(delivery(eventId));
        eventually(() -> "delivered".equals(deliveryRow(eventId).get("status")), "the recover delivers it");
    }

    @Test
    void a_failed_delivery_of_a_deleted_endpoint_is_not_retried_and_the_answer_says_why() throws Exception {
        receiver.answer(r -> Reply.status(500));
        JsonNode endpoint = createEndpoint(Map.of("url", receiver.url("/gone"), "retrySchedule", List.of("0s")));
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of()));
        receiver.next(WAIT);
        receiver.next(WAIT);
        eventually(() -> "failed".equals(deliveryRow(eventId).get("status")), "the delivery is failed");
        assertThat(operator.delete("/api/v1/accounts/" + account + "/endpoints/" + endpoint.get("id").asText()).status())
                .isEqualTo(204);

        assertProblem(operator.post("/api/v1/accounts/" + account + "/deliveries/" + delivery(eventId) + "/retry",
                Map.of()), 409, "endpoint was deleted");
        assertThat(deliveryRow(eventId).get("status")).isEqualTo("failed");
        assertThat(receiver.drain(Duration.ofMillis(1000))).isEmpty();
    }

    @Test
    void consecutive_failures_disable_the_endpoint_which_then_holds_events_until_enabled_and_recovered()
            throws Exception {
        AdminWebhook admin = adminWebhook("endpoint.disabled");
        receiver.answer(r -> Reply.status(502));
        JsonNode endpoint = createEndpoint(Map.of("url", receiver.url("/dying"), "disableAfterFailures", 3,
                "retrySchedule", List.of("0s", "0s", "0s", "0s", "0s")));
        String endpointId = endpoint.get("id").asText();
        OffsetDateTime start = OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(1);
        String first = publish(Map.of("type", "host.offline", "data", Map.of("n", 1)));

        for (int i = 0; i < 3; i++) {
            receiver.next(WAIT);
        }
        eventually(() -> "held".equals(deliveryRow(first).get("status")), "the delivery is held");
        Map<String, Object> disabled = db.queryForMap("SELECT * FROM endpoints WHERE id = ?", endpointId);
        assertThat(disabled.get("active")).isEqualTo(false);
        assertThat((String) disabled.get("disabled_reason")).contains("3 consecutive failed attempts");
        JsonNode event = admin.eventAbout("endpointId", endpointId);
        assertThat(event.get("type").asText()).isEqualTo("endpoint.disabled");
        assertThat(event.path("data").path("accountId").asText()).isEqualTo(account);
        assertThat(event.path("data").path("trigger").asText()).isEqualTo("automatic");
        JsonNode shown = operator.get("/api/v1/accounts/" + account + "/endpoints/" + endpointId).json();
        assertThat(shown.get("consecutiveFailures").asInt()).isEqualTo(3);
        assertThat(event.path("data").path("failSince").asText()).as("Svix's failSince: when its failures began")
                .isEqualTo(shown.get("failingSince").asText());
        assertThat(OffsetDateTime.parse(shown.get("failingSince").asText())).isAfter(start)
                .isBefore(OffsetDateTime.parse(shown.get("disabledAt").asText()));
        assertThat(event.path("data").path("disabledAt").asText()).as("the time the API shows")
                .isEqualTo(shown.get("disabledAt").asText());
        assertThat(db.queryForObject("SELECT source FROM events WHERE id = ?", String.class, event.get("id").asText()))
                .as("recorded as Hookpost's own event").isEqualTo("system");

        String second = publish(Map.of("type", "host.offline", "data", Map.of("n", 2)));
        eventually(() -> "held".equals(deliveryRow(second).get("status")), "a new event is held for the disabled endpoint");
        assertThat(receiver.drain(Duration.ofMillis(1500))).isEmpty();
        assertThat(operator.get("/api/v1/accounts/" + account + "/endpoints/" + endpointId).json()
                .get("disabledReason").asText()).contains("consecutive");

        receiver.answer(r -> Reply.ok());
        Api.Response enabled = operator.post("/api/v1/accounts/" + account + "/endpoints/" + endpointId + "/enable", Map.of());
        assertThat(enabled.json().get("active").asBoolean()).isTrue();
        assertThat(enabled.json().get("consecutiveFailures").asInt()).isZero();
        assertThat(enabled.json().get("failingSince").isNull()).isTrue();
        assertThat(enabled.json().get("disabledAt").isNull()).isTrue();
        Api.Response recovered = operator.post("/api/v1/accounts/" + account + "/endpoints/" + endpointId + "/recover",
                Map.of("since", start.toString()));
        assertThat(recovered.status()).as(recovered.text()).isEqualTo(202);
        assertThat(recovered.json().get("recovered").asInt()).isEqualTo(2);
        assertThat(List.of(receiver.next(WAIT).header("webhook-id"), receiver.next(WAIT).header("webhook-id")))
                .containsExactlyInAnyOrder(delivery(first), delivery(second));
        eventually(() -> "delivered".equals(deliveryRow(first).get("status"))
                && "delivered".equals(deliveryRow(second).get("status")), "both held deliveries are delivered");
    }

    @Test
    void an_endpoint_shows_when_its_run_of_failures_began_until_an_attempt_succeeds() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger posts = new java.util.concurrent.atomic.AtomicInteger();
        receiver.answer(r -> {
            if (posts.incrementAndGet() == 2) {
                try {
                    release.await(); // the second failure waits while the test reads the first one's run
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return Reply.status(500);
        });
        String path = "/api/v1/accounts/" + account + "/endpoints/"
                + createEndpoint(Map.of("url", receiver.url("/flaky"), "retrySchedule", List.of("0s", "1h")))
                .get("id").asText();
        assertThat(operator.get(path).json().get("consecutiveFailures").asInt()).isZero();
        OffsetDateTime start = OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(1);
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of()));
        String failingSince;
        try {
            eventually(() -> operator.get(path).json().get("consecutiveFailures").asInt() == 1, "one failure counted");
            failingSince = operator.get(path).json().get("failingSince").asText();
            assertThat(OffsetDateTime.parse(failingSince)).isAfter(start).isBefore(OffsetDateTime.now(ZoneOffset.UTC));
        } finally {
            release.countDown();
        }
        eventually(() -> operator.get(path).json().get("consecutiveFailures").asInt() == 2, "two failures counted");
        JsonNode failing = operator.get(path).json();
        assertThat(failing.get("failingSince").asText()).as("the run's start, not its latest failure")
                .isEqualTo(failingSince);
        assertThat(failing.get("active").asBoolean()).isTrue();
        assertThat(failing.get("disabledAt").isNull()).isTrue();

        receiver.answer(r -> Reply.ok());
        assertThat(operator.post("/api/v1/accounts/" + account + "/deliveries/" + delivery(eventId) + "/retry",
                Map.of()).status()).isEqualTo(202);
        eventually(() -> operator.get(path).json().get("consecutiveFailures").asInt() == 0, "the success ends the run");
        assertThat(operator.get(path).json().get("failingSince").isNull()).isTrue();
        assertThat(deliveryRow(eventId).get("status")).isEqualTo("delivered");
    }

    @Test
    void a_burst_that_disables_its_endpoint_stops_at_the_threshold_and_is_sent_at_once_when_recovered()
            throws Exception {
        receiver.answer(r -> Reply.status(500));
        String endpointId = createEndpoint(Map.of("url", receiver.url("/burst"), "disableAfterFailures", 5,
                "retrySchedule", List.of("1h"))).get("id").asText();
        OffsetDateTime start = OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(1);
        int events = 30;
        var publishers = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            var published = new ArrayList<java.util.concurrent.Future<String>>();
            for (int n = 0; n < events; n++) {
                int number = n;
                published.add(publishers.submit(() -> publish(Map.of("type", "host.offline", "data", Map.of("n", number)))));
            }
            for (var each : published) {
                each.get();
            }
        } finally {
            publishers.shutdown();
        }
        eventually(() -> count("SELECT COUNT(*) FROM deliveries WHERE endpoint_id = ? AND status = 'held'", endpointId)
                == events, "every delivery held once the endpoint is disabled");
        // deliveries that waited in memory for the endpoint's one slot were not sent past the threshold
        assertThat(receiver.drain(Duration.ofSeconds(1))).as("POSTs the receiver got").hasSize(5);

        receiver.answer(r -> Reply.ok());
        String path = "/api/v1/accounts/" + account + "/endpoints/" + endpointId;
        assertThat(operator.post(path + "/enable", Map.of()).status()).isEqualTo(200);
        Api.Response recovered = operator.post(path + "/recover", Map.of("since", start.toString()));
        assertThat(recovered.json().get("recovered").asInt()).as(recovered.text()).isEqualTo(events);
        // not after the claims of those that had waited in memory ran out (the lease, two minutes)
        receiver.awaitWebhookIds(new java.util.HashSet<>(), events, WAIT);
    }

    @Test
    void a_success_resets_the_consecutive_failure_count() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        receiver.answer(r -> calls.incrementAndGet() % 3 == 0 ? Reply.ok() : Reply.status(500));
        JsonNode endpoint = createEndpoint(Map.of("url", receiver.url("/wobbly"), "disableAfterFailures", 3,
                "retrySchedule", List.of("0s", "0s", "0s")));
        for (int n = 0; n < 3; n++) {
            String eventId = publish(Map.of("type", "host.offline", "data", Map.of("n", n)));
            eventually(() -> "delivered".equals(deliveryRow(eventId).get("status")), "event delivered on its third try");
        }
        Map<String, Object> row = db.queryForMap("SELECT active, failure_streak FROM endpoints WHERE id = ?",
                endpoint.get("id").asText());
        assertThat(row.get("active")).isEqualTo(true);
        assertThat(row.get("failure_streak")).isEqualTo(0);
    }

    @Test
    void gone_410_disables_the_endpoint_at_once() throws Exception {
        receiver.answer(r -> Reply.status(410));
        JsonNode endpoint = createEndpoint(Map.of("url", receiver.url("/gone"), "retrySchedule", List.of("0s", "0s")));
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of()));

        receiver.next(WAIT);
        eventually(() -> "held".equals(deliveryRow(eventId).get("status")), "the delivery is held");
        assertThat(db.queryForObject("SELECT disabled_reason FROM endpoints WHERE id = ?", String.class,
                endpoint.get("id").asText())).contains("410 Gone");
        assertThat(receiver.drain(Duration.ofMillis(1000))).isEmpty();
    }

    @Test
    void retry_after_on_429_is_honoured_before_the_next_try() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        receiver.answer(r -> calls.incrementAndGet() == 1
                ? new Reply(429, Map.of("Retry-After", "2"), new byte[0]) : Reply.ok());
        createEndpoint(Map.of("url", receiver.url("/busy"), "retrySchedule", List.of("0s")));
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of()));

        receiver.next(WAIT);
        long firstAt = System.nanoTime();
        receiver.next(WAIT);
        assertThat(Duration.ofNanos(System.nanoTime() - firstAt)).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
        eventually(() -> "delivered".equals(deliveryRow(eventId).get("status")), "the second try delivers");
    }

    @Test
    void retry_after_on_429_pauses_every_delivery_of_the_endpoint_not_only_the_one_that_got_it() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        List<Long> arrivals = java.util.Collections.synchronizedList(new ArrayList<>());
        receiver.answer(r -> {
            arrivals.add(System.nanoTime());
            return calls.incrementAndGet() == 1 ? new Reply(429, Map.of("Retry-After", "3"), new byte[0]) : Reply.ok();
        });
        createEndpoint(Map.of("url", receiver.url("/limited")));
        List<String> eventIds = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            eventIds.add(publish(Map.of("type", "host.offline", "data", Map.of("n", i))));
        }
        // the operator sees the pause while it lasts
        eventually(() -> metrics.get("hookpost.endpoints.retry.after").gauge().value() >= 1,
                "hookpost_endpoints_retry_after counts the endpoint");

        for (String eventId : eventIds) {
            eventually(() -> "delivered".equals(deliveryRow(eventId).get("status")), "every delivery goes out in the end");
        }
        // the 429 was answered after its arrival: nothing else may arrive within 3 s of that
        assertThat(arrivals).hasSize(6);
        long limited = arrivals.get(0);
        assertThat(arrivals.subList(1, 6)).allSatisfy(at -> assertThat(Duration.ofNanos(at - limited))
                .as("a request after the 429").isGreaterThanOrEqualTo(Duration.ofSeconds(3)));
    }

    @Test
    void dropped_connections_and_redirects_are_failures_that_are_retried() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        receiver.answer(r -> switch (calls.incrementAndGet()) {
            case 1 -> Reply.drop();
            case 2 -> new Reply(301, Map.of("Location", receiver.url("/new")), new byte[0]);
            default -> Reply.ok();
        });
        createEndpoint(Map.of("url", receiver.url("/old"), "retrySchedule", List.of("0s", "0s")));
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of()));

        assertThat(List.of(receiver.next(WAIT).path(), receiver.next(WAIT).path(), receiver.next(WAIT).path()))
                .containsOnly("/old");
        eventually(() -> "delivered".equals(deliveryRow(eventId).get("status")), "the third try delivers");
        List<Map<String, Object>> attempts = db.queryForList(
                "SELECT response_status, error FROM attempts WHERE delivery_id = ? ORDER BY attempt_number", delivery(eventId));
        assertThat(attempts.get(0).get("response_status")).isNull();
        assertThat((String) attempts.get(0).get("error")).isNotBlank();
        assertThat(attempts.get(1).get("response_status")).isEqualTo(301);
        assertThat(attempts.get(2).get("response_status")).isEqualTo(200);
    }

    @Test
    void deleting_an_endpoint_discards_its_pending_deliveries() throws Exception {
        receiver.answer(r -> Reply.status(500));
        JsonNode endpoint = createEndpoint(Map.of("url", receiver.url("/bye"), "retrySchedule", List.of("30m")));
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of()));
        receiver.next(WAIT);
        eventually(() -> deliveryRow(eventId).get("lease_owner") == null, "the retry is scheduled");

        Api.Response deleted = operator.delete("/api/v1/accounts/" + account + "/endpoints/" + endpoint.get("id").asText());
        assertThat(deleted.status()).isEqualTo(204);
        assertThat(deliveryRow(eventId).get("status")).isEqualTo("discarded");
        assertThat(operator.get("/api/v1/accounts/" + account + "/endpoints/" + endpoint.get("id").asText()).status())
                .isEqualTo(404);
        db.update("UPDATE deliveries SET next_attempt_at = ? WHERE id = ?", OffsetDateTime.now(ZoneOffset.UTC), delivery(eventId));
        assertThat(receiver.drain(Duration.ofMillis(2500))).isEmpty();
    }

    @Test
    void an_attempt_in_flight_when_its_endpoint_is_deleted_is_counted_and_its_delivery_stays_discarded()
            throws Exception {
        CountDownLatch arrived = new CountDownLatch(1);
        CountDownLatch deleted = new CountDownLatch(1);
        receiver.answer(r -> {
            arrived.countDown();
            awaitQuietly(deleted);
            return Reply.ok();
        });
        JsonNode endpoint = createEndpoint(Map.of("url", receiver.url("/slow-bye")));
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of()));
        assertThat(arrived.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the POST reached the receiver").isTrue();

        assertThat(operator.delete("/api/v1/accounts/" + account + "/endpoints/" + endpoint.get("id").asText()).status())
                .isEqualTo(204);
        deleted.countDown();
        eventually(() -> ((Number) deliveryRow(eventId).get("attempts")).intValue() == 1, "the attempt is counted");
        assertThat(deliveryRow(eventId).get("status")).isEqualTo("discarded");
        assertThat(count("SELECT COUNT(*) FROM attempts WHERE delivery_id = ?", delivery(eventId))).isEqualTo(1);
    }

    @Test
    void an_attempt_in_flight_when_its_endpoint_is_disabled_that_gets_through_delivers_and_is_not_recovered_again()
            throws Exception {
        CountDownLatch slowArrived = new CountDownLatch(1);
        CountDownLatch disabled = new CountDownLatch(1);
        receiver.answer(r -> {
            if (r.bodyText().contains("\"slow\"")) {
                slowArrived.countDown();
                awaitQuietly(disabled);
                return Reply.ok();
            }
            return r.bodyText().contains("\"failing\"") ? Reply.status(500) : Reply.ok();
        });
        String endpointId = createEndpoint(Map.of("url", receiver.url("/held-in-flight"), "disableAfterFailures", 1,
                "retrySchedule", List.of("1h"))).get("id").asText();
        OffsetDateTime start = OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(1);
        // a success lets the endpoint take a second attempt beside the first
        String first = publish(Map.of("type", "host.offline", "data", Map.of("kind", "first")));
        eventually(() -> "delivered".equals(deliveryRow(first).get("status")), "the first event is delivered");
        String slow = publish(Map.of("type", "host.offline", "data", Map.of("kind", "slow")));
        assertThat(slowArrived.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the slow POST reached the receiver").isTrue();
        String failing = publish(Map.of("type", "host.offline", "data", Map.of("kind", "failing")));
        eventually(() -> "held".equals(deliveryRow(slow).get("status")),
                "the failure disables the endpoint, which holds the delivery in flight");

        disabled.countDown();
        eventually(() -> "delivered".equals(deliveryRow(slow).get("status")), "the attempt that got through delivers it");
        assertThat(((Number) deliveryRow(slow).get("attempts")).intValue()).isEqualTo(1);
        receiver.drain(Duration.ofMillis(500));
        receiver.answer(r -> Reply.ok());
        String path = "/api/v1/accounts/" + account + "/endpoints/" + endpointId;
        assertThat(operator.post(path + "/enable", Map.of()).status()).isEqualTo(200);
        Api.Response recovered = operator.post(path + "/recover", Map.of("since", start.toString()));
        assertThat(recovered.json().get("recovered").asInt()).as(recovered.text()).isEqualTo(1);
        assertThat(receiver.next(WAIT).header("webhook-id")).isEqualTo(delivery(failing));
        assertThat(receiver.drain(Duration.ofMillis(1000))).as("POSTs after the one recovered").isEmpty();
    }

    @Test
    void a_backlog_recovered_after_its_endpoint_timed_out_goes_out_as_fast_as_the_endpoint_now_answers()
            throws Exception {
        AtomicInteger calls = new AtomicInteger();
        // the first POST outlasts the timeout (3 s in tests), the rest are answered at once
        receiver.answer(r -> {
            if (calls.incrementAndGet() == 1) {
                TestReceiver.pause(3_500);
            }
            return Reply.ok();
        });
        String endpointId = createEndpoint(Map.of("url", receiver.url("/timed-out"), "disableAfterFailures", 1,
                "retrySchedule", List.of("1h"))).get("id").asText();
        OffsetDateTime start = OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(1);
        publish(Map.of("type", "host.offline", "data", Map.of("n", 0)));
        eventually(() -> count("SELECT COUNT(*) FROM endpoints WHERE id = ? AND active = FALSE", endpointId) == 1,
                "the timeout disables the endpoint");
        int events = 60;
        for (int n = 1; n < events; n++) {
            publish(Map.of("type", "host.offline", "data", Map.of("n", n)));
        }
        eventually(() -> count("SELECT COUNT(*) FROM deliveries WHERE endpoint_id = ? AND status = 'held'", endpointId)
                == events, "every delivery held");
        Thread.sleep(3_500); // the endpoint idle for longer than its last attempt took

        String path = "/api/v1/accounts/" + account + "/endpoints/" + endpointId;
        assertThat(operator.post(path + "/enable", Map.of()).status()).isEqualTo(200);
        assertThat(operator.post(path + "/recover", Map.of("since", start.toString())).json().get("recovered").asInt())
                .isEqualTo(events);
        // at the 3 s pace of its timeout, 20 may wait and the rest were looked at again after 21 x 3 s
        receiver.awaitWebhookIds(new java.util.HashSet<>(), events, WAIT);
    }

    @Test
    void an_endpoint_that_went_down_while_quiet_holds_one_attempt_at_a_time_not_the_bound_its_successes_grew()
            throws Exception {
        AtomicBoolean down = new AtomicBoolean();
        AtomicInteger atOnce = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        receiver.answer(r -> {
            if (!down.get()) {
                return Reply.ok();
            }
            // hangs, then drops the connection without an answer
            mostAtOnce.accumulateAndGet(atOnce.incrementAndGet(), Math::max);
            TestReceiver.pause(1_500);
            atOnce.decrementAndGet();
            return Reply.drop();
        });
        createEndpoint(Map.of("url", receiver.url("/went-down"), "retrySchedule", List.of("1h")));
        int healthy = 40;
        for (int n = 0; n < healthy; n++) {
            publish(Map.of("type", "host.offline", "data", Map.of("n", n)));
        }
        receiver.awaitWebhookIds(new java.util.HashSet<>(), healthy, WAIT); // the bound grew with each success
        Thread.sleep(2_000); // quiet for longer than busy-retry-delay (1 s) and an attempt

        down.set(true);
        for (int n = 0; n < 10; n++) {
            publish(Map.of("type", "host.offline", "data", Map.of("n", healthy + n)));
        }
        eventually(() -> count("SELECT COUNT(*) FROM attempts a JOIN deliveries d ON d.id = a.delivery_id"
                + " WHERE d.account_id = ? AND a.response_status IS NULL", account) >= 2, "two attempts got no answer");
        assertThat(mostAtOnce.get()).as("requests the endpoint held open at once after it went down").isEqualTo(1);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static OffsetDateTime toTime(Object value) {
        if (value instanceof OffsetDateTime o) {
            return o;
        }
        return ((java.sql.Timestamp) value).toInstant().atOffset(ZoneOffset.UTC);
    }
}

package io.hookpost.ops;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import io.hookpost.support.HookpostTest;
import io.hookpost.support.OperatorClient;
import io.hookpost.support.TestReceiver.Reply;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Issue 6, point 2: Prometheus metrics at /actuator/prometheus move with real traffic. */
class MetricsTest extends HookpostTest {
    @Test
    void prometheus_answers_to_the_operator_credentials_only() {
        assertThat(OperatorClient.anonymous(port).get("/actuator/prometheus").statusCode()).isEqualTo(401);
        assertThat(OperatorClient.basic(port, CONSOLE_USER, "wrong").get("/actuator/prometheus").statusCode()).isEqualTo(401);
        HttpResponse<String> scrape = operatorScrape();
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        assertThat(scrape.body()).contains("# TYPE hookpost_deliveries_total counter",
                "# TYPE hookpost_attempt_duration_seconds histogram", "# TYPE hookpost_deliveries_held gauge");
    }

    @Test
    void delivery_counters_and_the_attempt_histogram_move_with_real_deliveries() throws Exception {
        Scrape before = scrape();
        receiver.answer(r -> switch (r.path()) {
            case "/ok" -> Reply.ok();
            case "/gone" -> Reply.status(410);
            default -> Reply.status(500);
        });
        createEndpoint(Map.of("url", receiver.url("/ok")));
        createEndpoint(Map.of("url", receiver.url("/fails"), "retrySchedule", List.of("0s")));   // fail, retry, give up
        createEndpoint(Map.of("url", receiver.url("/gone")));                                    // 410: disabled, held
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of("host", "web-1")));
        eventually(() -> deliveriesOf(eventId).stream().map(d -> d.get("status")).sorted().toList()
                .equals(List.of("delivered", "failed", "held")), "one delivery delivered, one failed, one held");
        // the counters move in the step after the status is written: wait for the last of them
        eventually(() -> delta(before, scrape(), "hookpost_deliveries_total", "outcome", "delivered") >= 1
                && delta(before, scrape(), "hookpost_deliveries_total", "outcome", "failed") >= 1
                && delta(before, scrape(), "hookpost_deliveries_total", "outcome", "held") >= 1, "the counters moved");

        Scrape after = scrape();
        assertThat(delta(before, after, "hookpost_events_ingested_total", "source", "api")).isGreaterThanOrEqualTo(1);
        assertThat(delta(before, after, "hookpost_deliveries_total", "outcome", "delivered")).isGreaterThanOrEqualTo(1);
        assertThat(delta(before, after, "hookpost_deliveries_total", "outcome", "retry")).isGreaterThanOrEqualTo(1);
        assertThat(delta(before, after, "hookpost_deliveries_total", "outcome", "failed")).isGreaterThanOrEqualTo(1);
        assertThat(delta(before, after, "hookpost_deliveries_total", "outcome", "held")).isGreaterThanOrEqualTo(1);
        // 1 success (/ok), 2 failures of /fails, 1 of /gone
        assertThat(delta(before, after, "hookpost_attempt_duration_seconds_count", "outcome", "success")).isGreaterThanOrEqualTo(1);
        assertThat(delta(before, after, "hookpost_attempt_duration_seconds_count", "outcome", "http_error")).isGreaterThanOrEqualTo(3);
        assertThat(delta(before, after, "hookpost_attempt_duration_seconds_bucket", "outcome", "http_error", "le", "+Inf"))
                .isGreaterThanOrEqualTo(3);
        assertThat(after.value("hookpost_attempt_duration_seconds_sum", "outcome", "success"))
                .isGreaterThan(before.value("hookpost_attempt_duration_seconds_sum", "outcome", "success"));
        assertThat(after.has("hookpost_attempt_duration_seconds_bucket", "outcome", "success", "le", "0.1")).isTrue();
    }

    @Test
    void the_attempt_that_disables_its_endpoint_counts_its_delivery_held_not_retried() throws Exception {
        receiver.answer(r -> Reply.status(500));
        String endpointId = createEndpoint(Map.of("url", receiver.url("/threshold"), "disableAfterFailures", 1,
                "retrySchedule", List.of("1m", "5m"))).get("id").asText();
        Scrape before = scrape();
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of("host", "web-1")));
        eventually(() -> "held".equals(deliveriesOf(eventId).get(0).get("status")), "the delivery is held");
        eventually(() -> delta(before, scrape(), "hookpost_deliveries_total", "outcome", "held") >= 1,
                "held counted");
        assertThat(delta(before, scrape(), "hookpost_deliveries_total", "outcome", "retry"))
                .as("no retry follows the attempt that disabled endpoint " + endpointId).isZero();
    }

    @Test
    void a_failed_manual_retry_counts_its_delivery_failed_again() throws Exception {
        receiver.answer(r -> Reply.status(500));
        createEndpoint(Map.of("url", receiver.url("/still-down"), "retrySchedule", List.of("0s")));
        Scrape before = scrape();
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of("host", "web-1")));
        eventually(() -> "failed".equals(deliveriesOf(eventId).get(0).get("status")), "the schedule ran out");
        eventually(() -> delta(before, scrape(), "hookpost_deliveries_total", "outcome", "failed") >= 1, "failed counted");

        String deliveryId = (String) deliveriesOf(eventId).get(0).get("id");
        assertThat(operator.post("/api/v1/accounts/" + account + "/deliveries/" + deliveryId + "/retry", Map.of())
                .status()).isEqualTo(202);
        eventually(() -> ((Number) deliveriesOf(eventId).get(0).get("attempts")).intValue() == 3
                && "failed".equals(deliveriesOf(eventId).get(0).get("status")), "the manual retry failed");
        eventually(() -> delta(before, scrape(), "hookpost_deliveries_total", "outcome", "failed") >= 2,
                "the manual retry's failure counted too");
    }

    @Test
    void a_refused_connection_is_counted_as_an_error_attempt() throws Exception {
        Scrape before = scrape();
        receiver.close();   // nothing listens on its port any more
        createEndpoint(Map.of("url", receiver.url("/closed"), "retrySchedule", List.of("0s")));
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of()));
        eventually(() -> "failed".equals(deliveriesOf(eventId).get(0).get("status")), "the delivery failed");
        Scrape after = scrape();
        assertThat(delta(before, after, "hookpost_attempt_duration_seconds_count", "outcome", "error")).isGreaterThanOrEqualTo(2);
    }

    @Test
    void the_gauges_show_held_deliveries_disabled_endpoints_and_the_queue() throws Exception {
        createEndpoint(Map.of("url", receiver.url("/paused"), "active", false));
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of()));
        eventually(() -> "held".equals(deliveriesOf(eventId).get(0).get("status")), "the delivery is held");

        // the gauges read the database at most every hookpost.ops.gauge-refresh (5 s)
        eventually(() -> {
            Scrape now = scrape();
            return now.value("hookpost_deliveries_held") == count("SELECT COUNT(*) FROM deliveries WHERE status = 'held'")
                    && now.value("hookpost_endpoints_disabled")
                    == count("SELECT COUNT(*) FROM endpoints WHERE active = FALSE AND deleted_at IS NULL");
        }, "the held and disabled gauges match the database");
        Scrape now = scrape();
        assertThat(now.value("hookpost_deliveries_held")).isGreaterThanOrEqualTo(1);
        assertThat(now.value("hookpost_endpoints_disabled")).isGreaterThanOrEqualTo(1);
        assertThat(now.has("hookpost_deliveries_waiting_retry")).isTrue();
        assertThat(now.has("hookpost_deliveries_pending")).isTrue();
        assertThat(now.has("hookpost_deliveries_overdue")).isTrue();
        // this application sends each broadcast within a second (DeliveryBacklogTest: one left sending)
        assertThat(now.value("hookpost_broadcasts_sending")).isZero();
        assertThat(now.value("hookpost_broadcasts_oldest_sending_seconds")).isZero();
        assertThat(now.value("hookpost_queue_messages", "queue", "hookpost.events")).isGreaterThanOrEqualTo(0);
        assertThat(now.has("hookpost_queue_messages", "queue", "hookpost.inbound")).isTrue();
    }

    @Test
    void inbound_callbacks_are_counted_by_provider_and_result() throws Exception {
        com.fasterxml.jackson.databind.JsonNode connection = operator.post("/api/v1/accounts/" + account + "/providers",
                java.util.Map.of("provider", "email-status")).json();
        String path = connection.get("inboundPath").asText();
        byte[] body = "{\"messageId\":\"m-metrics\",\"event\":\"delivery\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String signature = io.hookpost.outbound.WebhookSigner.hex(connection.get("secret").asText(), body);
        Scrape before = scrape();
        assertThat(inbound(path, body, signature)).isEqualTo(200);
        assertThat(inbound(path, body, "sha256=00")).isEqualTo(401);
        assertThat(inbound("/inbound/email-status/prv_nope", body, signature)).isEqualTo(404);
        Scrape after = scrape();
        assertThat(delta(before, after, "hookpost_inbound_callbacks_total", "provider", "email-status", "result", "verified"))
                .isEqualTo(1.0, within(0.0));
        assertThat(delta(before, after, "hookpost_inbound_callbacks_total", "provider", "email-status", "result", "rejected"))
                .isEqualTo(1.0, within(0.0));
        assertThat(after.has("hookpost_inbound_callbacks_total", "provider", "email-status", "result", "unknown_connection"))
                .isTrue();
    }

    @Test
    void log_events_are_counted_by_level_with_no_turbo_filter_on_every_level_check() {
        Scrape before = scrape();
        org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(MetricsTest.class);
        log.warn("A warning written by MetricsTest, to be counted");
        log.error("An error written by MetricsTest, to be counted");
        Scrape after = scrape();
        assertThat(delta(before, after, "logback_events_total", "level", "warn")).isGreaterThanOrEqualTo(1);
        assertThat(delta(before, after, "logback_events_total", "level", "error")).isGreaterThanOrEqualTo(1);
        assertThat(after.has("logback_events_total", "level", "trace")).isTrue();
        // Micrometer's binder would have put one here, run on every isDebugEnabled() in the process
        assertThat(((ch.qos.logback.classic.LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory()).getTurboFilterList())
                .isEmpty();
    }

    private int inbound(String path, byte[] body, String signature) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + port + path))
                .header("X-Webhook-Signature", signature)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private HttpResponse<String> operatorScrape() {
        return OperatorClient.basic(port, CONSOLE_USER, CONSOLE_PASSWORD).get("/actuator/prometheus");
    }

    private Scrape scrape() {
        HttpResponse<String> response = operatorScrape();
        assertThat(response.statusCode()).isEqualTo(200);
        return Scrape.parse(response.body());
    }

    private static double delta(Scrape before, Scrape after, String name, String... labels) {
        return after.value(name, labels) - before.value(name, labels);
    }
}

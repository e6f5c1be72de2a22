package io.hookpost.outbound;

import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.standardwebhooks.Webhook;
import io.hookpost.support.HookpostTest;
import io.hookpost.support.IdleClosingReceiver;
import org.apache.camel.api.management.ManagedCamelContext;
import org.apache.camel.api.management.mbean.ManagedFilterMBean;
import io.hookpost.support.StallingReceiver;
import io.hookpost.support.TestReceiver.Received;
import io.hookpost.support.TestReceiver.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

/** The deliver route, seen from the receiver and from the attempts table. */
class DeliverRouteTest extends HookpostTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @Autowired
    DataSource dataSource;
    @Autowired
    EndpointSlots slots;
    @Autowired
    org.apache.camel.ProducerTemplate camel;
    @Autowired
    org.springframework.transaction.PlatformTransactionManager transactions;

    @Test
    void attempts_recorded_together_leave_each_delivery_as_recording_them_one_by_one_would() throws Exception {
        String endpointId = createEndpoint(Map.of("url", receiver.url("/batch"))).get("id").asText();
        // deliveries that are not attempted by the deliver route meanwhile: held while the endpoint is off, then made
        // pending as if claimed, with a failure streak for a success to reset
        db.update("UPDATE endpoints SET active = FALSE WHERE id = ?", endpointId);
        List<String> events = List.of(publish(Map.of("type", "host.offline", "data", Map.of("n", 1))),
                publish(Map.of("type", "host.offline", "data", Map.of("n", 2))),
                publish(Map.of("type", "host.offline", "data", Map.of("n", 3))));
        eventually(() -> events.stream().allMatch(event -> deliveriesOf(event).size() == 1), "the deliveries are held");
        db.update("UPDATE deliveries SET status = 'pending' WHERE endpoint_id = ?", endpointId);
        db.update("UPDATE endpoints SET failure_streak = 2 WHERE id = ?", endpointId);
        List<String> deliveries = events.stream().map(event -> (String) deliveriesOf(event).get(0).get("id")).toList();

        java.time.OffsetDateTime now = java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC);
        List<Map<String, Object>> attempts = new java.util.ArrayList<>();
        for (int i = 0; i < deliveries.size(); i++) {
            boolean succeeded = i < 2;
            Map<String, Object> attempt = new java.util.HashMap<>();
            attempt.put("id", java.util.UUID.randomUUID().toString());
            attempt.put("delivery_id", deliveries.get(i));
            attempt.put("endpoint_id", endpointId);
            attempt.put("account_id", account);
            attempt.put("attempt_number", 1);
            attempt.put("trigger_kind", "scheduled");
            attempt.put("request_url", receiver.url("/batch"));
            attempt.put("request_envelope", "standard");
            attempt.put("request_headers", "{}");
            attempt.put("response_status", succeeded ? 200 : 500);
            attempt.put("response_headers", "{}");
            attempt.put("response_body", succeeded ? "ok" : "down");
            attempt.put("duration_ms", 3);
            attempt.put("error", succeeded ? null : "HTTP 500");
            attempt.put("succeeded", succeeded);
            attempt.put("created_at", now);
            attempts.add(attempt);
        }
        new org.springframework.transaction.support.TransactionTemplate(transactions)
                .executeWithoutResult(status -> camel.requestBody("direct:record-attempts", attempts));

        assertThat(count("SELECT COUNT(*) FROM attempts WHERE endpoint_id = ?", endpointId)).isEqualTo(3);
        for (int i = 0; i < deliveries.size(); i++) {
            Map<String, Object> delivery = db.queryForMap("SELECT * FROM deliveries WHERE id = ?", deliveries.get(i));
            assertThat(delivery.get("attempts")).isEqualTo(1);
            assertThat(delivery.get("status")).isEqualTo(i < 2 ? "delivered" : "pending");
            assertThat(delivery.get("last_response_status")).isEqualTo(i < 2 ? 200 : 500);
            assertThat(delivery.get("last_error")).isEqualTo(i < 2 ? null : "HTTP 500");
        }
        assertThat(count("SELECT failure_streak FROM endpoints WHERE id = ?", endpointId)).isZero();
    }

    @Test
    void a_delivery_handed_over_again_once_it_is_no_longer_pending_under_that_claim_is_not_sent() throws Exception {
        createEndpoint(Map.of("url", receiver.url("/once")));
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of("n", 1)));
        assertThat(receiver.next(WAIT).path()).isEqualTo("/once");
        eventually(() -> "delivered".equals(deliveriesOf(eventId).get(0).get("status")), "the delivery is recorded delivered");
        String deliveryId = (String) deliveriesOf(eventId).get(0).get("id");

        // what an operator sees on the still-ours step in Hawtio: the exchanges it stopped
        ManagedFilterMBean stillOurs = camel.getCamelContext().getCamelContextExtension()
                .getContextPlugin(ManagedCamelContext.class).getManagedProcessor("still-ours", ManagedFilterMBean.class);
        long stoppedBefore = stillOurs.getFilteredCount();

        camel.sendBody("seda:deliver", Map.of("id", deliveryId, "lease_owner", "a-claim-long-gone"));

        eventually(() -> stillOurs.getFilteredCount() == stoppedBefore + 1, "the attempt stops at still-ours");
        assertThat(receiver.drain(java.time.Duration.ofSeconds(1))).isEmpty();
        assertThat(count("SELECT COUNT(*) FROM attempts WHERE delivery_id = ?", deliveryId)).isEqualTo(1);
    }

    /** As the fan-out leaves a delivery it planned: pending, claimed, handed to the deliver route. */
    private void handOverAsTheFanoutWould(String deliveryId) {
        db.update("UPDATE deliveries SET status = 'pending', next_attempt_at = CURRENT_TIMESTAMP,"
                + " lease_owner = 'fanout-claim', lease_until = DATEADD('MINUTE', 2, CURRENT_TIMESTAMP) WHERE id = ?",
                deliveryId);
        camel.sendBody("seda:deliver", Map.of("id", deliveryId, "lease_owner", "fanout-claim"));
    }

    @Test
    void a_claimed_delivery_of_a_deleted_endpoint_is_discarded_as_its_others_were() throws Exception {
        String endpointId = createEndpoint(Map.of("url", receiver.url("/deleted"), "retrySchedule", List.of("1h")))
                .get("id").asText();
        receiver.answer(r -> Reply.status(503));
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of("n", 1)));
        receiver.next(WAIT);
        String deliveryId = (String) deliveriesOf(eventId).get(0).get("id");
        eventually(() -> deliveriesOf(eventId).get(0).get("lease_owner") == null, "waiting for its retry");
        assertThat(operator.delete("/api/v1/accounts/" + account + "/endpoints/" + endpointId).status()).isEqualTo(204);
        handOverAsTheFanoutWould(deliveryId); // planned just before the delete

        eventually(() -> "discarded".equals(deliveriesOf(eventId).get(0).get("status"))
                && deliveriesOf(eventId).get(0).get("lease_owner") == null, "discarded, the claim let go");
        assertThat(receiver.drain(java.time.Duration.ofMillis(500))).isEmpty();
    }

    /** As the fan-out leaves a delivery it planned for an endpoint with enough waiting: pending, due, unclaimed. */
    private void leaveDueAsTheFanoutWould(String deliveryId) {
        db.update("UPDATE deliveries SET status = 'pending', next_attempt_at = CURRENT_TIMESTAMP, lease_owner = NULL,"
                + " lease_until = NULL WHERE id = ?", deliveryId);
    }

    /**
     * Planned just before the pause: claimed and handed to the deliver route, which cannot load it; or left unclaimed
     * for a busy endpoint, and found by the retry scheduler's next poll. Either way held as the endpoint's others were.
     */
    @ParameterizedTest(name = "claimed by the fan-out: {0}")
    @ValueSource(booleans = {true, false})
    void a_delivery_planned_as_its_endpoint_was_paused_is_held_as_its_others_were_and_goes_out_with_their_recover(
            boolean claimed) throws Exception {
        String endpointId = createEndpoint(Map.of("url", receiver.url("/paused"))).get("id").asText();
        String path = "/api/v1/accounts/" + account + "/endpoints/" + endpointId;
        assertThat(operator.patch(path, Map.of("active", false)).status()).isEqualTo(200);
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of("n", 1)));
        eventually(() -> "held".equals(deliveriesOf(eventId).get(0).get("status")), "held while paused");
        String deliveryId = (String) deliveriesOf(eventId).get(0).get("id");
        if (claimed) {
            handOverAsTheFanoutWould(deliveryId);
        } else {
            leaveDueAsTheFanoutWould(deliveryId);
        }

        eventually(() -> "held".equals(deliveriesOf(eventId).get(0).get("status"))
                && deliveriesOf(eventId).get(0).get("lease_owner") == null, "held, no claim left");
        assertThat(deliveriesOf(eventId).get(0).get("next_attempt_at")).isNull();
        OffsetDateTime since = OffsetDateTime.now().minusMinutes(5);
        assertThat(operator.patch(path, Map.of("active", true)).status()).isEqualTo(200);
        assertThat(receiver.drain(java.time.Duration.ofMillis(1500))).as("a resume alone sends no held one").isEmpty();
        assertThat(operator.post(path + "/recover", Map.of("since", since.toString())).json().get("recovered").asInt())
                .isEqualTo(1);
        // at once, not after a lease (two minutes)
        assertThat(receiver.next(WAIT).header("webhook-id")).isEqualTo(deliveryId);
    }

    @Test
    void an_unclaimed_delivery_of_a_deleted_endpoint_is_discarded_by_the_retry_scheduler() throws Exception {
        String endpointId = createEndpoint(Map.of("url", receiver.url("/deleted-unclaimed"), "active", false))
                .get("id").asText();
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of("n", 1)));
        eventually(() -> "held".equals(deliveriesOf(eventId).get(0).get("status")), "held while disabled");
        assertThat(operator.delete("/api/v1/accounts/" + account + "/endpoints/" + endpointId).status()).isEqualTo(204);
        leaveDueAsTheFanoutWould((String) deliveriesOf(eventId).get(0).get("id")); // planned just before the delete

        eventually(() -> "discarded".equals(deliveriesOf(eventId).get(0).get("status"))
                && deliveriesOf(eventId).get(0).get("lease_owner") == null, "discarded by the next poll");
        assertThat(receiver.drain(java.time.Duration.ofMillis(500))).isEmpty();
    }

    @Test
    void an_endpoint_slot_is_free_once_the_receiver_answered_while_the_attempt_waits_for_the_database() throws Exception {
        String endpointId = createEndpoint(Map.of("url", receiver.url("/slot"))).get("id").asText();
        // a failure streak to reset: recording the success must update the endpoint row, which another transaction holds
        db.update("UPDATE endpoints SET failure_streak = 1 WHERE id = ?", endpointId);
        String eventId;
        try (Connection holder = dataSource.getConnection()) {
            holder.setAutoCommit(false);
            try (PreparedStatement lock = holder.prepareStatement("SELECT failure_streak FROM endpoints WHERE id = ? FOR UPDATE")) {
                lock.setString(1, endpointId);
                lock.executeQuery().close();
            }
            eventId = publish(Map.of("type", "host.offline", "data", Map.of("n", 1)));
            assertThat(receiver.next(WAIT).path()).isEqualTo("/slot");

            // were the slot held until the attempt is recorded, it could only come back by the recording failing on
            // the lock (timeout), and then the delivery would not be recorded delivered below
            eventually(() -> slots.inFlight(endpointId) == 0, "the endpoint's slot is given back");
            assertThat(deliveriesOf(eventId).get(0).get("status")).as("the attempt is not recorded yet").isEqualTo("pending");
            holder.rollback();
        }
        eventually(() -> "delivered".equals(deliveriesOf(eventId).get(0).get("status")), "the delivery is recorded delivered");
        // the batch marks its deliveries delivered, then resets their endpoints' streaks: a moment apart (seen once in CI)
        eventually(() -> count("SELECT failure_streak FROM endpoints WHERE id = ?", endpointId) == 0,
                "the endpoint's failure streak reset");
    }

    @Test
    void standard_webhooks_post_carries_the_contract_headers_and_verifies_with_the_official_library()
            throws Exception {
        JsonNode endpoint = createEndpoint(Map.of("url", receiver.url("/hooks"), "eventTypes", List.of("host.offline")));
        String eventId = publish("{\"type\":\"host.offline\",\"data\":{\"host\":\"web-1\",\"load\":1.10}}");

        Received post = receiver.next(WAIT);
        Map<String, Object> delivery = deliveriesOf(eventId).get(0);
        assertThat(post.path()).isEqualTo("/hooks");
        assertThat(post.header("content-type")).isEqualTo("application/json");
        assertThat(post.header("user-agent")).matches("Hookpost/\\d+\\.\\d+\\.\\d+.*");
        assertThat(post.header("x-webhook-event")).isEqualTo("host.offline");
        assertThat(post.header("webhook-id")).isEqualTo(delivery.get("id"));
        assertThat(post.header("x-webhook-delivery")).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(Long.parseLong(post.header("webhook-timestamp")))
                .isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(30L));
        // the envelope, with exact numbers
        assertThat(post.bodyText()).startsWith("{\"id\":\"" + eventId + "\",\"type\":\"host.offline\",\"timestamp\":\"")
                .endsWith(",\"data\":{\"host\":\"web-1\",\"load\":1.10}}");
        assertThatNoException().isThrownBy(() -> new Webhook(endpoint.get("secret").asText())
                .verify(post.bodyText(), post.headers()));

        eventually(() -> "delivered".equals(deliveriesOf(eventId).get(0).get("status")), "the delivery is marked delivered");
        Map<String, Object> attempt = db.queryForMap("SELECT * FROM attempts WHERE delivery_id = ?", delivery.get("id"));
        assertThat(attempt.get("id")).isEqualTo(post.header("x-webhook-delivery"));
        assertThat(attempt.get("response_status")).isEqualTo(200);
        assertThat(attempt.get("response_body")).isEqualTo("ok");
        assertThat(attempt.get("succeeded")).isEqualTo(true);
        assertThat(attempt.get("attempt_number")).isEqualTo(1);
        JsonNode sentHeaders = JSON.readTree((String) attempt.get("request_headers"));
        assertThat(sentHeaders.get("webhook-signature").asText()).isEqualTo(post.header("webhook-signature"));
    }

    @Test
    void hex_scheme_with_a_chosen_header_verifies_with_a_plain_hmac_over_the_received_bytes() throws Exception {
        JsonNode endpoint = createEndpoint(Map.of("url", receiver.url("/hyprwatch"),
                "signatureScheme", "hmac-sha256-hex", "signatureHeader", "X-Hyprwatch-Signature"));
        publish(Map.of("type", "host.offline", "data", Map.of("host", "db-2")));

        Received post = receiver.next(WAIT);
        String secret = endpoint.get("secret").asText();
        String expected = "sha256=" + HexFormat.of().formatHex(
                WebhookSignerTest.jdkHmac(secret.getBytes(StandardCharsets.UTF_8), post.body()));
        assertThat(post.header("x-hyprwatch-signature")).isEqualTo(expected);
        assertThat(post.header("webhook-signature")).isNull();
    }

    @Test
    void base64_scheme_signs_the_whole_raw_body_huntr_style() throws Exception {
        JsonNode endpoint = createEndpoint(Map.of("url", receiver.url("/huntr"),
                "signatureScheme", "hmac-sha256-base64", "signatureHeader", "x-huntr-hmac-sha256"));
        publish(Map.of("type", "action.created", "data", Map.of("note", "héllo ✓")));

        Received post = receiver.next(WAIT);
        String expected = Base64.getEncoder().encodeToString(WebhookSignerTest.jdkHmac(
                endpoint.get("secret").asText().getBytes(StandardCharsets.UTF_8), post.body()));
        assertThat(post.header("x-huntr-hmac-sha256")).isEqualTo(expected);
        assertThat(post.bodyText()).contains("héllo ✓");
    }

    @Test
    void none_scheme_sends_no_signature_and_custom_headers_are_sent() throws Exception {
        createEndpoint(Map.of("url", receiver.url("/plain"), "signatureScheme", "none",
                "headers", Map.of("X-Customer", "acme", "Authorization", "Bearer receiver-token")));
        publish(Map.of("type", "ticket.created", "data", Map.of()));

        Received post = receiver.next(WAIT);
        assertThat(post.header("webhook-signature")).isNull();
        assertThat(post.header("x-webhook-signature")).isNull();
        assertThat(post.header("x-customer")).isEqualTo("acme");
        assertThat(post.header("authorization")).isEqualTo("Bearer receiver-token");
        assertThat(post.header("webhook-id")).startsWith("msg_");
    }

    @Test
    void a_redirect_is_not_followed_and_is_recorded_as_a_failed_attempt() throws Exception {
        receiver.answer(r -> r.path().equals("/moved")
                ? new Reply(302, Map.of("Location", receiver.url("/elsewhere")), new byte[0]) : Reply.ok());
        createEndpoint(Map.of("url", receiver.url("/moved")));
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of()));

        assertThat(receiver.next(WAIT).path()).isEqualTo("/moved");
        String deliveryId = (String) deliveriesOf(eventId).get(0).get("id");
        eventually(() -> count("SELECT COUNT(*) FROM attempts WHERE delivery_id = ?", deliveryId) == 1, "an attempt is recorded");
        Map<String, Object> attempt = db.queryForMap("SELECT * FROM attempts WHERE delivery_id = ?", deliveryId);
        assertThat(attempt.get("response_status")).isEqualTo(302);
        assertThat(attempt.get("succeeded")).isEqualTo(false);
        assertThat(receiver.drain(java.time.Duration.ofMillis(500))).isEmpty();
        eventually(() -> "pending".equals(deliveriesOf(eventId).get(0).get("status"))
                && Integer.valueOf(302).equals(deliveriesOf(eventId).get(0).get("last_response_status")),
                "the delivery shows the failed attempt and is not delivered");
    }

    @Test
    void only_the_first_4096_bytes_of_a_large_response_are_kept() throws Exception {
        byte[] big = "x".repeat(200_000).getBytes(StandardCharsets.US_ASCII);
        receiver.answer(r -> new Reply(200, Map.of(), big));
        createEndpoint(Map.of("url", receiver.url("/big")));
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of()));

        eventually(() -> "delivered".equals(deliveriesOf(eventId).get(0).get("status")), "the delivery is delivered");
        String body = db.queryForObject("SELECT response_body FROM attempts WHERE delivery_id = ?", String.class,
                deliveriesOf(eventId).get(0).get("id"));
        assertThat(body).hasSize(4096);
    }

    @Test
    void a_receiver_slower_than_the_timeout_is_cut_off_and_recorded_as_a_timeout() throws Exception {
        receiver.answer(r -> {
            try {
                Thread.sleep(6_000); // the tests run with hookpost.delivery.timeout=3s
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Reply.ok();
        });
        createEndpoint(Map.of("url", receiver.url("/slow")));
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of()));

        Map<String, Object> attempt = onlyAttempt(eventId);
        assertThat((String) attempt.get("error")).containsIgnoringCase("timed out");
        assertThat((Integer) attempt.get("duration_ms")).isBetween(2_900, 5_500);
        assertThat(deliveriesOf(eventId).get(0).get("status")).isEqualTo("pending");
    }

    @Test
    void a_receiver_that_drips_its_answer_is_cut_off_at_the_whole_request_timeout() throws Exception {
        try (StallingReceiver dripping = StallingReceiver.dripping()) {
            createEndpoint(Map.of("url", dripping.url("/drip")));
            String eventId = publish(Map.of("type", "host.offline", "data", Map.of()));

            Map<String, Object> attempt = onlyAttempt(eventId);
            assertThat((String) attempt.get("error")).contains("timed out: no complete answer within 3000 ms");
            assertThat(attempt.get("succeeded")).isEqualTo(false);
            assertThat(deliveriesOf(eventId).get(0).get("status")).isEqualTo("pending");
        }
    }

    @Test
    void a_receiver_answering_with_a_body_without_end_has_its_first_4096_bytes_kept_and_its_connection_dropped()
            throws Exception {
        try (StallingReceiver flooding = StallingReceiver.flooding()) {
            createEndpoint(Map.of("url", flooding.url("/flood")));
            String eventId = publish(Map.of("type", "host.offline", "data", Map.of()));

            Map<String, Object> attempt = onlyAttempt(eventId);
            assertThat(attempt.get("error")).isNull();
            assertThat(attempt.get("succeeded")).isEqualTo(true);
            assertThat((String) attempt.get("response_body")).isEqualTo("x".repeat(4096));
            assertThat(deliveriesOf(eventId).get(0).get("status")).isEqualTo("delivered");
            eventually(flooding::dropped, "Hookpost closes the connection instead of reading the rest");
            // what the sockets' buffers hold, not the body: a sender that read it all would have taken the whole cap
            assertThat(flooding.written()).isLessThan(StallingReceiver.FLOOD_CAP / 4);
        }
    }

    @Test
    void a_receiver_answering_with_headers_without_end_is_cut_off_at_100_and_the_attempt_fails() throws Exception {
        try (StallingReceiver flooding = StallingReceiver.floodingHeaders()) {
            createEndpoint(Map.of("url", flooding.url("/heads")));
            String eventId = publish(Map.of("type", "host.offline", "data", Map.of()));

            Map<String, Object> attempt = onlyAttempt(eventId);
            assertThat((String) attempt.get("error")).containsIgnoringCase("header count");
            assertThat(attempt.get("succeeded")).isEqualTo(false);
            assertThat(deliveriesOf(eventId).get(0).get("status")).isEqualTo("pending");
            // not read whole into memory (a receiver's 100 MB of headers once ran Hookpost out of heap)
            assertThat(flooding.written()).isLessThan(StallingReceiver.FLOOD_CAP / 4);
        }
    }

    @Test
    void a_keep_alive_connection_the_receiver_closed_while_idle_is_not_used_for_the_next_delivery() throws Exception {
        // closes a connection idle for 150 ms; the events come 600 ms apart, well within HttpClient's own 2 s
        try (IdleClosingReceiver receiver = new IdleClosingReceiver(150)) {
            createEndpoint(Map.of("url", receiver.url("/short-keep-alive"), "retrySchedule", List.of("1h")));
            for (int i = 0; i < 4; i++) {
                String eventId = publish(Map.of("type", "host.offline", "data", Map.of("n", i)));
                eventually(() -> !"pending".equals(deliveriesOf(eventId).get(0).get("status")), "the delivery settled");
                Thread.sleep(600);
            }
            // each delivered at its first attempt: none went out on a connection the receiver had closed
            assertThat(count("SELECT COUNT(*) FROM deliveries WHERE account_id = ? AND status = 'delivered'"
                    + " AND attempts = 1", account)).isEqualTo(4);
            assertThat(count("SELECT COUNT(*) FROM attempts WHERE account_id = ? AND succeeded = FALSE", account))
                    .isZero();
            assertThat(receiver.requests()).isEqualTo(4);
            assertThat(receiver.connections()).isEqualTo(4);
        }
    }

    @Test
    void a_refused_connection_is_recorded_as_an_attempt_with_the_error() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        createEndpoint(Map.of("url", "http://127.0.0.1:" + closedPort + "/down"));
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of()));

        Map<String, Object> attempt = onlyAttempt(eventId);
        assertThat(attempt.get("response_status")).isNull();
        assertThat((String) attempt.get("error")).containsIgnoringCase("refused");
        assertThat(attempt.get("succeeded")).isEqualTo(false);
    }

    /** Waits for the one attempt of this test's event and returns its row. */
    private Map<String, Object> onlyAttempt(String eventId) throws InterruptedException {
        String where = " FROM attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.event_id = ? AND d.account_id = ?";
        eventually(() -> count("SELECT COUNT(*)" + where, eventId, account) == 1, "an attempt is recorded");
        return db.queryForMap("SELECT a.*" + where, eventId, account);
    }
}

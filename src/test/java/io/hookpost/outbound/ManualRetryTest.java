package io.hookpost.outbound;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.hookpost.support.Api;
import io.hookpost.support.HookpostTest;
import io.hookpost.support.TestReceiver.Reply;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A manual retry (POST …/deliveries/{id}/retry) asked for while an attempt of the delivery is under way. */
class ManualRetryTest extends HookpostTest {
    /** Well under every schedule step the tests use (9 s and more), well over the retry scheduler's 1-s poll. */
    private static final Duration RETRY_AT_ONCE = Duration.ofSeconds(6);

    @Test
    void a_retry_asked_for_during_an_attempt_that_fails_is_made_at_once_not_at_the_schedules_next_step()
            throws Exception {
        retryAskedForDuringAttempt(List.of("1h"), 1, 500);
    }

    @Test
    void a_retry_asked_for_during_an_attempt_whose_next_try_would_wait_in_memory_is_made_at_once() throws Exception {
        // 9 s: under hookpost.delivery.in-process-max-delay (10 s), where a failure's next try waits in memory
        retryAskedForDuringAttempt(List.of("9s"), 1, 500);
    }

    @Test
    void a_retry_asked_for_during_the_last_attempt_of_the_schedule_is_made_rather_than_the_delivery_failing()
            throws Exception {
        retryAskedForDuringAttempt(List.of("0s"), 2, 500);
    }

    @Test
    void a_retry_asked_for_during_an_attempt_that_succeeds_leaves_the_delivery_delivered() throws Exception {
        retryAskedForDuringAttempt(List.of("1h"), 1, 200);
    }

    @Test
    void a_retry_asked_for_while_a_retry_waits_in_memory_is_that_retry_and_not_one_more() throws Exception {
        receiver.answer(r -> Reply.status(500));
        // 3 s: under hookpost.delivery.in-process-max-delay, so the second attempt waits in memory, holding the lease
        createEndpoint(Map.of("url", receiver.url("/waiting"), "retrySchedule", List.of("3s")));
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of()));
        receiver.next(WAIT);
        String deliveryId = (String) deliveriesOf(eventId).get(0).get("id");
        Api.Response retry = operator.post("/api/v1/accounts/" + account + "/deliveries/" + deliveryId + "/retry",
                Map.of());
        assertThat(retry.status()).as(retry.text()).isEqualTo(202);

        assertThat(receiver.next(WAIT).header("webhook-id")).as("the retry waiting in memory").isEqualTo(deliveryId);
        eventually(() -> "failed".equals(deliveriesOf(eventId).get(0).get("status")), "the schedule runs out");
        assertThat(receiver.drain(Duration.ofMillis(2500))).as("no third attempt").isEmpty();
        assertThat(count("SELECT COUNT(*) FROM attempts WHERE delivery_id = ?", deliveryId)).isEqualTo(2);
    }

    /**
     * Holds the given attempt at the receiver, asks for a manual retry while it is held, then lets it answer with
     * the given status. A failed held attempt is followed by the retry at once, answered 200; a successful one is
     * the last.
     */
    private void retryAskedForDuringAttempt(List<String> schedule, int heldAttempt, int heldAnswer)
            throws Exception {
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch arrived = new CountDownLatch(1);
        CountDownLatch asked = new CountDownLatch(1);
        receiver.answer(r -> {
            int call = calls.incrementAndGet();
            if (call < heldAttempt) {
                return Reply.status(500);
            }
            if (call == heldAttempt) {
                arrived.countDown();
                awaitQuietly(asked);
                return Reply.status(heldAnswer);
            }
            return Reply.ok();
        });
        createEndpoint(Map.of("url", receiver.url("/retried-mid-attempt"), "retrySchedule", schedule));
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of()));
        assertThat(arrived.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the attempt reached the receiver").isTrue();
        String deliveryId = (String) deliveriesOf(eventId).get(0).get("id");

        Api.Response retry = operator.post("/api/v1/accounts/" + account + "/deliveries/" + deliveryId + "/retry",
                Map.of());
        assertThat(retry.status()).as(retry.text()).isEqualTo(202);
        assertThat(retry.json().get("status").asText()).isEqualTo("pending");
        asked.countDown();

        boolean retried = heldAnswer >= 300;
        int posts = retried ? heldAttempt + 1 : heldAttempt;
        for (int n = 0; n < posts; n++) {
            // the retry asked for comes at once (within the retry scheduler's poll), not at the schedule's next step
            Duration within = retried && n == posts - 1 ? RETRY_AT_ONCE : WAIT;
            assertThat(receiver.next(within).header("webhook-id")).as("POST %d", n + 1).isEqualTo(deliveryId);
        }
        eventually(() -> "delivered".equals(deliveriesOf(eventId).get(0).get("status")), "the delivery is delivered");
        assertThat(receiver.drain(Duration.ofMillis(1500))).as("POSTs after the delivery").isEmpty();
        List<String> triggers = db.queryForList("SELECT trigger_kind FROM attempts WHERE delivery_id = ?"
                + " ORDER BY attempt_number", String.class, deliveryId);
        assertThat(triggers).hasSize(posts);
        if (retried) {
            assertThat(triggers.get(posts - 1)).as("the last attempt is the retry asked for").isEqualTo("manual");
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package io.hookpost;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.hookpost.support.Api;
import io.hookpost.support.HookpostProcess;
import io.hookpost.support.HookpostTest;
import io.hookpost.support.TestReceiver;
import io.hookpost.support.TestReceiver.Reply;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 6, point 6: on SIGTERM Hookpost stops taking work, lets the attempts in flight finish, and hands the
 * deliveries still waiting for a thread back to the database; after a restart every delivery completes, each
 * marked delivered once.
 */
class GracefulShutdownTest {
    private static final int EVENTS = 30;
    @AutoClose
    private HookpostProcess hookpost;
    @AutoClose
    private TestReceiver receiver;

    @Test
    void sigterm_finishes_what_is_in_flight_hands_back_the_rest_and_a_restart_delivers_it() throws Exception {
        hookpost = HookpostProcess.fresh("shutdown-tests", List.of(
                "--hookpost.delivery.timeout=10s",
                "--hookpost.delivery.concurrency=3",
                // long enough that only a hand-back, not an expiry, lets the restart deliver within the test
                "--hookpost.delivery.lease=10m"));
        receiver = new TestReceiver();
        AtomicInteger started = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        receiver.answer(r -> {
            started.incrementAndGet();
            TestReceiver.pause(1_000);
            answered.incrementAndGet();
            return Reply.ok();
        });
        Api api = new Api(hookpost.port(), HookpostTest.ADMIN_TOKEN);
        hookpost.start();
        assertThat(api.post("/api/v1/accounts", Map.of("id", "acme", "name", "Acme")).status()).isEqualTo(201);
        assertThat(api.post("/api/v1/accounts/acme/endpoints", Map.of("url", receiver.url("/slow"))).status()).isEqualTo(201);
        for (int i = 0; i < EVENTS; i++) {
            assertThat(api.post("/api/v1/accounts/acme/events", Map.of("id", "evt-" + i, "type", "host.offline",
                    "data", Map.of("n", i))).status()).isEqualTo(202);
        }
        while (started.get() < 3) {
            Thread.sleep(20);
        }

        long stopping = System.nanoTime();
        hookpost.stop();
        Duration took = Duration.ofNanos(System.nanoTime() - stopping);
        assertThat(took).as("graceful stop within camel.main.shutdown-timeout").isLessThan(Duration.ofSeconds(40));
        assertThat(answered.get()).as("requests the receiver answered equal those it started: none cut off")
                .isEqualTo(started.get());

        Map<String, Integer> leasedPending = new HashMap<>();
        Map<String, String> statuses = statuses(leasedPending);
        assertThat(statuses).hasSize(EVENTS);
        assertThat(statuses.values()).contains("pending");
        assertThat(leasedPending).as("pending deliveries still holding a lease after a graceful stop").isEmpty();

        receiver.answer(r -> Reply.ok());
        hookpost.start();
        receiver.awaitWebhookIds(ConcurrentHashMap.newKeySet(), EVENTS, Duration.ofSeconds(60));
        hookpost.stop();
        Map<String, String> after = statuses(new HashMap<>());
        assertThat(after.values()).containsOnly("delivered");
        try (Connection db = hookpost.database(); Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("SELECT delivery_id, COUNT(*) FROM attempts WHERE succeeded = TRUE"
                     + " GROUP BY delivery_id HAVING COUNT(*) > 1")) {
            assertThat(rs.next()).as("a delivery with two successful attempts").isFalse();
        }
    }

    @Test
    void sigterm_keeps_the_retry_schedule_for_after_the_restart_instead_of_spending_it_during_the_stop()
            throws Exception {
        hookpost = HookpostProcess.fresh("shutdown-tests", List.of("--hookpost.delivery.lease=10m"));
        receiver = new TestReceiver();
        AtomicInteger failed = new AtomicInteger();
        receiver.answer(r -> {
            failed.incrementAndGet();
            return Reply.status(500);
        });
        Api api = new Api(hookpost.port(), HookpostTest.ADMIN_TOKEN);
        hookpost.start();
        assertThat(api.post("/api/v1/accounts", Map.of("id", "acme", "name", "Acme")).status()).isEqualTo(201);
        // retried in memory (each delay under hookpost.delivery.in-process-max-delay), and used up within 15 s
        assertThat(api.post("/api/v1/accounts/acme/endpoints", Map.of("url", receiver.url("/down"),
                "retrySchedule", List.of("3s", "3s", "3s", "3s", "3s"), "disableAfterFailures", 1000)).status())
                .isEqualTo(201);
        int events = 10;
        for (int i = 0; i < events; i++) {
            assertThat(api.post("/api/v1/accounts/acme/events", Map.of("id", "evt-" + i, "type", "host.offline",
                    "data", Map.of("n", i))).status()).isEqualTo(202);
        }
        while (failed.get() < events) {
            Thread.sleep(20);
        }
        hookpost.stop();

        // the first attempt, and at most the one each delivery was waiting for when the stop began
        assertThat(failed.get()).as("attempts sent").isLessThanOrEqualTo(2 * events);
        Map<String, Integer> leasedPending = new HashMap<>();
        assertThat(statuses(leasedPending).values()).as("deliveries after the stop").containsOnly("pending");
        assertThat(leasedPending).isEmpty();

        receiver.answer(r -> Reply.ok());
        hookpost.start();
        receiver.awaitWebhookIds(ConcurrentHashMap.newKeySet(), events, Duration.ofSeconds(60));
    }

    /** Delivery id → status; pending ones that still hold a lease go into {@code leasedPending}. */
    private Map<String, String> statuses(Map<String, Integer> leasedPending) throws Exception {
        Map<String, String> statuses = new HashMap<>();
        try (Connection db = hookpost.database(); Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, status, lease_owner FROM deliveries")) {
            while (rs.next()) {
                statuses.put(rs.getString(1), rs.getString(2));
                if ("pending".equals(rs.getString(2)) && rs.getString(3) != null) {
                    leasedPending.put(rs.getString(1), 1);
                }
            }
        }
        return statuses;
    }
}

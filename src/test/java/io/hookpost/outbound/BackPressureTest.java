package io.hookpost.outbound;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.hookpost.support.Api;
import io.hookpost.support.HookpostProcess;
import io.hookpost.support.HookpostTest;
import io.hookpost.support.TestReceiver;
import io.hookpost.support.TestReceiver.Reply;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The delivery queue between the fan-out and the delivery threads is bounded. When it is full, the fan-out waits
 * for room; it used to fail the hand-off after its commit, which left the delivery leased and untouched until
 * the lease expired (here 10 minutes, far beyond the test).
 */
class BackPressureTest {
    private static final int EVENTS = 60;
    @AutoClose
    private HookpostProcess hookpost;
    @AutoClose
    private TestReceiver receiver;

    @Test
    void a_full_delivery_queue_makes_the_fan_out_wait_and_every_event_is_delivered_once() throws Exception {
        hookpost = HookpostProcess.fresh("backpressure-tests", List.of(
                "--camel.component.seda.queue-size=2",
                "--hookpost.delivery.concurrency=1",
                "--hookpost.delivery.lease=10m"));
        receiver = new TestReceiver();
        receiver.answer(r -> {
            TestReceiver.pause(20);
            return Reply.ok();
        });
        Api api = new Api(hookpost.port(), HookpostTest.ADMIN_TOKEN);
        hookpost.start();
        assertThat(api.post("/api/v1/accounts", Map.of("id", "acme", "name", "Acme")).status()).isEqualTo(201);
        for (int i = 0; i < 3; i++) {
            assertThat(api.post("/api/v1/accounts/acme/endpoints", Map.of("url", receiver.url("/hook-" + i))).status())
                    .isEqualTo(201);
        }
        for (int i = 0; i < EVENTS; i++) {
            assertThat(api.post("/api/v1/accounts/acme/events", Map.of("id", "evt-" + i, "type", "host.offline",
                    "data", Map.of("n", i))).status()).isEqualTo(202);
        }

        Set<String> seen = ConcurrentHashMap.newKeySet();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (seen.size() < 3 * EVENTS && System.nanoTime() < deadline) {
            receiver.takeAll().forEach(r -> seen.add(r.header("webhook-id")));
            Thread.sleep(100);
        }
        assertThat(seen).as("deliveries received (3 endpoints x %d events)", EVENTS).hasSize(3 * EVENTS);
        hookpost.stop();
        try (Connection db = hookpost.database(); Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("SELECT status, COUNT(*) FROM deliveries GROUP BY status")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("delivered");
            assertThat(rs.getInt(2)).isEqualTo(3 * EVENTS);
            assertThat(rs.next()).as("deliveries in another status").isFalse();
        }
    }
}

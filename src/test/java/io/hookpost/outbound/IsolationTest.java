package io.hookpost.outbound;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.hookpost.support.Api;
import io.hookpost.support.HookpostProcess;
import io.hookpost.support.HookpostTest;
import io.hookpost.support.StallingReceiver;
import io.hookpost.support.TestReceiver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Isolation (issue 3, point 7): an endpoint that hangs until the timeout, and one that is down, do not hold up
 * a healthy endpoint. Hookpost runs as its own process with a two-minute HTTP timeout, so the hanging
 * endpoint's requests cannot end during the test: without the per-endpoint in-flight limit they would hold
 * every delivery thread and the healthy endpoint would get nothing until they time out.
 */
class IsolationTest {
    private static final int LIMIT = 8;
    private static final int EVENTS = 120;
    private HookpostProcess hookpost;
    private Api api;
    private StallingReceiver hanging;
    private TestReceiver healthy;

    @BeforeEach
    void start() throws Exception {
        hookpost = HookpostProcess.fresh("isolation-tests", List.of(
                "--hookpost.delivery.timeout=120s",
                "--hookpost.delivery.lease=5m",
                "--hookpost.delivery.concurrency=50",
                "--hookpost.delivery.max-in-flight-per-endpoint=" + LIMIT));
        api = new Api(hookpost.port(), HookpostTest.ADMIN_TOKEN);
        hanging = new StallingReceiver();
        healthy = new TestReceiver();
        hookpost.start();
        assertThat(api.post("/api/v1/accounts", Map.of("id", "acme", "name", "Acme")).status()).isEqualTo(201);
    }

    @AfterEach
    void stop() throws Exception {
        hookpost.close();
        hanging.close();
        healthy.close();
    }

    private void endpoint(String url) {
        Api.Response created = api.post("/api/v1/accounts/acme/endpoints", Map.of("url", url));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
    }

    @Test
    void a_hanging_endpoint_and_a_down_endpoint_do_not_hold_up_a_healthy_one() throws Exception {
        endpoint(hanging.url("/hangs"));
        endpoint("http://127.0.0.1:" + HookpostProcess.freePort() + "/down");
        endpoint(healthy.url("/healthy"));
        // a healthy endpoint that takes a moment: how many attempts it sees at once shows its bound growing
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        healthy.answer(r -> {
            mostAtOnce.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            TestReceiver.pause(50);
            concurrent.decrementAndGet();
            return TestReceiver.Reply.ok();
        });

        // every event goes to all three endpoints, interleaved in the delivery queue
        for (int i = 0; i < EVENTS; i++) {
            Api.Response accepted = api.post("/api/v1/accounts/acme/events",
                    Map.of("id", "evt-" + i, "type", "host.offline", "data", Map.of("n", i)));
            assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
        }

        // well within the hanging endpoint's timeout: none of its requests can have ended yet
        Set<String> seen = ConcurrentHashMap.newKeySet();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (seen.size() < EVENTS && System.nanoTime() < deadline) {
            healthy.takeAll().forEach(r -> seen.add(r.header("webhook-id")));
            Thread.sleep(100);
        }
        assertThat(seen).as("deliveries the healthy endpoint received while the other one hangs").hasSize(EVENTS);
        // an endpoint that has never answered is held to one attempt at a time (the limit grows only on success)
        assertThat(hanging.accepted()).as("requests held open by the hanging endpoint").isEqualTo(1);
        // the healthy one started at one attempt at a time too, and its successes raised its bound, not past the limit
        assertThat(mostAtOnce.get()).as("attempts the healthy endpoint saw at once").isBetween(2, LIMIT);
    }

}

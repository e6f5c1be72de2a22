package io.hookpost.outbound;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.hookpost.support.HookpostTest;
import io.hookpost.support.TestReceiver.Reply;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An endpoint's {@code rateLimit}: its receiver gets at most that many requests a second, evenly spaced, however many
 * events come at once, and every one of them in the end.
 */
class EndpointRateLimitTest extends HookpostTest {
    private static final int PER_SECOND = 5;
    private static final int EVENTS = 15;

    @Autowired
    MeterRegistry metrics;

    private double rateLimited() {
        return metrics.get("hookpost.endpoints.rate.limited").gauge().value();
    }

    private void burst(String tag) throws InterruptedException {
        List<String> eventIds = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            eventIds.add(publish(Map.of("type", "host.offline", "data", Map.of("tag", tag, "n", i))));
        }
        if (tag.equals("limited")) {
            // the operator sees the endpoint holding deliveries back while it does
            eventually(() -> rateLimited() >= 1, "hookpost_endpoints_rate_limited counts the endpoint");
        }
        for (String eventId : eventIds) {
            eventually(() -> "delivered".equals(db.queryForObject("SELECT status FROM deliveries"
                    + " WHERE account_id = ? AND event_id = ?", String.class, account, eventId)),
                    "every event of the burst is delivered");
        }
    }

    @Test
    void a_burst_reaches_a_rate_limited_endpoint_at_its_rate_and_a_limit_taken_off_lets_the_next_burst_through()
            throws Exception {
        List<Long> arrivals = Collections.synchronizedList(new ArrayList<>());
        receiver.answer(r -> {
            arrivals.add(System.nanoTime());
            return Reply.ok();
        });
        String endpointId = createEndpoint(Map.of("url", receiver.url("/limited"), "rateLimit", PER_SECOND))
                .get("id").asText();

        burst("limited");
        assertThat(arrivals).hasSize(EVENTS);
        assertThat(rateLimited()).as("none waiting any more").isZero();
        // starts are 200 ms apart, each at most half a spacing late: any six requests span at least 900 ms (less the
        // time between a start and its request's arrival). Not counted from the first: it opens the connection, and
        // arrived up to 100 ms after its start
        List<Long> limited = List.copyOf(arrivals);
        for (int i = 1; i + PER_SECOND < EVENTS; i++) {
            assertThat(Duration.ofNanos(limited.get(i + PER_SECOND) - limited.get(i)))
                    .as("requests %d to %d", i, i + PER_SECOND).isGreaterThan(Duration.ofMillis(850));
        }

        Map<String, Object> noLimit = new HashMap<>();
        noLimit.put("rateLimit", null);
        assertThat(operator.patch("/api/v1/accounts/" + account + "/endpoints/" + endpointId, noLimit).status())
                .isEqualTo(200);
        arrivals.clear();
        burst("unlimited");
        assertThat(arrivals).hasSize(EVENTS);
        // the same burst at 5 a second would take 2.8 s from its first request to its last
        assertThat(Duration.ofNanos(arrivals.get(EVENTS - 1) - arrivals.get(0))).isLessThan(Duration.ofMillis(2000));
    }
}

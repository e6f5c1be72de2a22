package io.hookpost.ops;

import java.time.Duration;
import java.util.Map;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The counters a scrape shows, counted into series kept from the start, unknown label values into a catch-all. */
class HookpostMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final HookpostMetrics metrics = new HookpostMetrics(registry);

    @Test
    void every_known_series_is_there_at_zero_before_anything_happened() {
        assertThat(registry.find("hookpost.deliveries").counters()).hasSize(HookpostMetrics.DELIVERY_OUTCOMES.size() + 1)
                .allSatisfy(c -> assertThat(c.count()).isZero());
        assertThat(registry.find("hookpost.attempt.duration").timers()).hasSize(HookpostMetrics.ATTEMPT_OUTCOMES.size())
                .allSatisfy(t -> assertThat(t.count()).isZero());
        assertThat(registry.get("hookpost.events.ingested").tag("source", "api").counter().count()).isZero();
        assertThat(registry.get("hookpost.events.invalid").counter().count()).isZero();
    }

    @Test
    void outcomes_are_counted_under_their_own_label_and_unknown_ones_under_the_catch_all() {
        metrics.delivery("delivered");
        metrics.delivery("delivered");
        metrics.delivery("exploded");
        metrics.delivery(null);
        metrics.attempt("timeout", Duration.ofMillis(30));
        metrics.attempt("weird", Duration.ofMillis(5));
        metrics.attempt(null, Duration.ofMillis(5));

        assertThat(registry.get("hookpost.deliveries").tag("outcome", "delivered").counter().count()).isEqualTo(2);
        assertThat(registry.get("hookpost.deliveries").tag("outcome", "other").counter().count()).isEqualTo(2);
        assertThat(registry.get("hookpost.attempt.duration").tag("outcome", "timeout").timer().count()).isEqualTo(1);
        assertThat(registry.get("hookpost.attempt.duration").tag("outcome", "error").timer().count()).isEqualTo(2);
        assertThat(registry.find("hookpost.deliveries").counters()).hasSize(HookpostMetrics.DELIVERY_OUTCOMES.size() + 1);
    }

    @Test
    void events_are_counted_by_source_and_odd_sources_are_kept_to_a_safe_label() {
        metrics.eventRecorded(Map.of("source", "queue"));
        metrics.eventRecorded(Map.of("source", "queue"));
        metrics.eventIngested("API");
        metrics.eventIngested("not a label!");
        metrics.eventRecorded(null);
        metrics.eventInvalid();

        assertThat(registry.get("hookpost.events.ingested").tag("source", "queue").counter().count()).isEqualTo(2);
        assertThat(registry.get("hookpost.events.ingested").tag("source", "api").counter().count()).isEqualTo(1);
        assertThat(registry.get("hookpost.events.ingested").tag("source", "other").counter().count()).isEqualTo(1);
        assertThat(registry.get("hookpost.events.ingested").tag("source", "unknown").counter().count()).isEqualTo(1);
        assertThat(registry.get("hookpost.events.invalid").counter().count()).isEqualTo(1);
    }
}

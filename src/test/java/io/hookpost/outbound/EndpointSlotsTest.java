package io.hookpost.outbound;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-endpoint bound's bookkeeping, step by step, as the deliver route drives it. */
class EndpointSlotsTest {
    private final CamelContext camel = new DefaultCamelContext();

    @AfterEach
    void stop() throws Exception {
        camel.close();
    }

    private Exchange loaded(String endpointId, int n) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(DeliveryProperties.DELIVERY_ID, "msg_" + endpointId + "_" + n);
        exchange.setProperty(DeliveryProperties.CLAIM, "claim-" + n);
        exchange.getMessage().setBody(new HashMap<>(Map.of("endpoint_id", endpointId)));
        return exchange;
    }

    private static void answered(Exchange exchange, int millis) {
        exchange.getMessage().setBody(Map.of("succeeded", true, "duration_ms", millis, "response_status", 200));
    }

    private static String slot(EndpointSlots slots, Exchange exchange) {
        slots.take(exchange);
        return exchange.getProperty(EndpointSlots.SLOT, String.class);
    }

    @Test
    void a_delivery_given_back_by_a_full_endpoint_is_looked_at_again_when_room_opens_not_half_a_lease_later() {
        // lease 2 min, busy-retry-delay 1 s, up to 8 in flight, up to 100 waiting
        EndpointSlots slots = new EndpointSlots(SsrfGuardTest.properties(true, List.of()), camel);
        Exchange first = loaded("ep", 0);
        assertThat(slot(slots, first)).isEqualTo(EndpointSlots.TAKEN);
        answered(first, 1000); // a receiver answering in a second: the bound grows to two
        slots.giveBack(first);
        assertThat(slot(slots, loaded("ep", 1))).isEqualTo(EndpointSlots.TAKEN);
        assertThat(slot(slots, loaded("ep", 2))).isEqualTo(EndpointSlots.TAKEN);
        int n = 3;
        while (slot(slots, loaded("ep", n)).equals(EndpointSlots.WAITING)) {
            n++;
        }
        // the waiting are full (100); the next gives its claim back
        assertThat(n).isEqualTo(103);
        OffsetDateTime again = (OffsetDateTime) slots.release(loaded("ep", n)).get("next_attempt_at");
        // room opens when one of the two attempts in flight ends, about half a second from now: busy-retry-delay.
        // It was when all 100 waiting would be done at two at a time, 50 s, though the bound grows with each success
        assertThat(Duration.between(OffsetDateTime.now(), again)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void an_endpoint_idle_long_enough_is_forgotten_and_one_with_a_request_in_flight_is_not() throws Exception {
        EndpointSlots slots = new EndpointSlots(SsrfGuardTest.properties(true, List.of()), camel, Duration.ofMillis(50));
        Exchange deleted = loaded("ep_deleted", 0);
        assertThat(slot(slots, deleted)).isEqualTo(EndpointSlots.TAKEN);
        answered(deleted, 5);
        slots.giveBack(deleted);
        Exchange hanging = loaded("ep_hanging", 0);
        assertThat(slot(slots, hanging)).isEqualTo(EndpointSlots.TAKEN);
        assertThat(slots.remembered()).isEqualTo(2);

        Thread.sleep(100);
        assertThat(slot(slots, loaded("ep_other", 0))).isEqualTo(EndpointSlots.TAKEN);
        // ep_deleted idle past the time: forgotten; ep_hanging still holds its slot
        assertThat(slots.remembered()).isEqualTo(2);
        assertThat(slots.inFlight("ep_hanging")).isEqualTo(1);
        assertThat(slots.inFlight("ep_deleted")).isZero();
        // and its bound still holds: a second request to the hanging endpoint waits
        assertThat(slot(slots, loaded("ep_hanging", 1))).isEqualTo(EndpointSlots.WAITING);

        // an endpoint forgotten comes back as a new one, one request at a time
        assertThat(slot(slots, loaded("ep_deleted", 1))).isEqualTo(EndpointSlots.TAKEN);
        assertThat(slots.inFlight("ep_deleted")).isEqualTo(1);
    }

    @Test
    void a_503_with_retry_after_keeps_the_endpoint_from_new_attempts_and_its_deliveries_in_the_database_until_then() {
        EndpointSlots slots = new EndpointSlots(SsrfGuardTest.properties(true, List.of()), camel);
        Exchange first = loaded("ep", 0);
        assertThat(slot(slots, first)).isEqualTo(EndpointSlots.TAKEN);
        answered(first, 5);
        slots.giveBack(first);
        assertThat(slots.busyFor("ep")).isNull();
        Exchange overloaded = loaded("ep", 1);
        assertThat(slot(slots, overloaded)).isEqualTo(EndpointSlots.TAKEN);
        overloaded.getMessage().setBody(Map.of("succeeded", false, "duration_ms", 5, "response_status", 503,
                "retry_after_ms", 30_000L));
        slots.heedRetryAfter(overloaded);
        assertThat(slots.pausedNow()).isEqualTo(1);
        slots.giveBack(overloaded);

        // no slot, though none is in flight: the claim goes back, to be looked at once the 30 s are over
        Exchange next = loaded("ep", 2);
        assertThat(slot(slots, next)).isEqualTo(EndpointSlots.FULL);
        OffsetDateTime again = (OffsetDateTime) slots.release(next).get("next_attempt_at");
        assertThat(Duration.between(OffsetDateTime.now(), again)).isBetween(Duration.ofSeconds(29), Duration.ofSeconds(30));
        // and the fan-out and the retry scheduler leave its deliveries unclaimed as long
        assertThat(slots.busyFor("ep")).isBetween(Duration.ofSeconds(29), Duration.ofSeconds(30));
        // another endpoint is not held up
        assertThat(slot(slots, loaded("other", 0))).isEqualTo(EndpointSlots.TAKEN);
    }

    @Test
    void a_retry_after_longer_than_max_retry_after_pauses_the_endpoint_for_max_retry_after() {
        EndpointSlots slots = new EndpointSlots(SsrfGuardTest.properties(true, List.of()), camel);
        Exchange limited = loaded("ep", 0);
        assertThat(slot(slots, limited)).isEqualTo(EndpointSlots.TAKEN);
        limited.getMessage().setBody(Map.of("succeeded", false, "duration_ms", 5, "response_status", 429,
                "retry_after_ms", Long.MAX_VALUE));
        slots.heedRetryAfter(limited);
        slots.giveBack(limited);
        // max-retry-after is 1 h in these settings (as by default)
        assertThat(slots.busyFor("ep")).isBetween(Duration.ofMinutes(59), Duration.ofMinutes(60));
    }

    @Test
    void a_rate_limited_endpoint_starts_one_attempt_a_turn_and_keeps_in_memory_what_it_can_start_in_half_a_lease() {
        // lease 2 min: at 1 a second, 60 may wait
        EndpointSlots slots = new EndpointSlots(SsrfGuardTest.properties(true, List.of()), camel);
        Exchange first = limited("ep", 0, 1);
        assertThat(slot(slots, first)).isEqualTo(EndpointSlots.TAKEN);
        answered(first, 5);
        slots.giveBack(first);
        // the endpoint is free, but its next turn is a second away
        assertThat(slot(slots, limited("ep", 1, 1))).isEqualTo(EndpointSlots.WAITING);
        assertThat(slots.inFlight("ep")).isZero();
        int n = 2;
        while (slot(slots, limited("ep", n, 1)).equals(EndpointSlots.WAITING)) {
            n++;
        }
        assertThat(n).isEqualTo(61);
        // those waiting leave one a second: look again when half of them have gone, and leave the rest unclaimed
        OffsetDateTime again = (OffsetDateTime) slots.release(limited("ep", n, 1)).get("next_attempt_at");
        assertThat(Duration.between(OffsetDateTime.now(), again))
                .isBetween(Duration.ofSeconds(29), Duration.ofSeconds(30));
        assertThat(slots.busyFor("ep")).isBetween(Duration.ofSeconds(29), Duration.ofSeconds(30));
        // an endpoint without a limit is not held up
        assertThat(slot(slots, loaded("other", 0))).isEqualTo(EndpointSlots.TAKEN);
        assertThat(slot(slots, loaded("other", 1))).isEqualTo(EndpointSlots.WAITING);
    }

    @Test
    void a_start_more_than_half_a_spacing_late_starts_the_rate_limits_schedule_again_so_no_second_gets_more()
            throws Exception {
        EndpointSlots slots = new EndpointSlots(SsrfGuardTest.properties(true, List.of()), camel);
        Exchange first = limited("ep", 0, 10); // a turn every 100 ms
        assertThat(slot(slots, first)).isEqualTo(EndpointSlots.TAKEN);
        answered(first, 1);
        slots.giveBack(first);
        Thread.sleep(180); // the next turn was due 80 ms ago
        Exchange late = limited("ep", 1, 10);
        assertThat(slot(slots, late)).isEqualTo(EndpointSlots.TAKEN);
        answered(late, 1);
        slots.giveBack(late);
        // 40 ms after the late start: the turn after it is 100 ms after it, not 100 ms after the first's turn
        Thread.sleep(40);
        assertThat(slot(slots, limited("ep", 2, 10))).isEqualTo(EndpointSlots.WAITING);
    }

    @Test
    void after_a_rate_limit_is_lowered_a_delivery_given_back_is_looked_at_again_within_half_a_lease() {
        EndpointSlots slots = new EndpointSlots(SsrfGuardTest.properties(true, List.of()), camel);
        Exchange first = limited("ep", 0, 2);
        assertThat(slot(slots, first)).isEqualTo(EndpointSlots.TAKEN);
        answered(first, 5);
        slots.giveBack(first);
        int n = 1;
        while (slot(slots, limited("ep", n, 2)).equals(EndpointSlots.WAITING)) {
            n++;
        }
        // the next turn is half a second away: all this happens before it
        assertThat(n).as("at 2 a second, max-waiting-per-endpoint (100)").isEqualTo(101);
        // lowered to 1 a second: 100 wait, more than the 60 it starts in half a lease
        Exchange given = limited("ep", n, 1);
        assertThat(slot(slots, given)).isEqualTo(EndpointSlots.FULL);
        OffsetDateTime again = (OffsetDateTime) slots.release(given).get("next_attempt_at");
        // when half of the 60 it may have waiting are gone, not half of the 100
        assertThat(Duration.between(OffsetDateTime.now(), again))
                .isBetween(Duration.ofSeconds(29), Duration.ofSeconds(30));
    }

    private Exchange limited(String endpointId, int n, int perSecond) {
        Exchange exchange = loaded(endpointId, n);
        exchange.getMessage().getBody(Map.class).put("rate_limit", perSecond);
        return exchange;
    }
}

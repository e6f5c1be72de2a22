package io.hookpost.outbound;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which claims of a failed fan-out are handed over when its event comes back recorded already (lease: 2 min). */
class UnconfirmedClaimsTest {
    private final UnconfirmedClaims claims = new UnconfirmedClaims(SsrfGuardTest.properties(false, List.of()));
    private final DefaultCamelContext camel = new DefaultCamelContext();

    private Exchange fanOut(String eventId, List<Map<String, Object>> planned) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty("hookpost.event", new HashMap<>(Map.of("account_id", "acme", "id", eventId)));
        exchange.setProperty(DeliveryPlanner.PENDING, planned);
        return exchange;
    }

    private static Map<String, Object> claim(String id, long leaseSecondsLeft) {
        return Map.of("id", id, "lease_owner", "token-" + id,
                "lease_until", OffsetDateTime.now(ZoneOffset.UTC).plusSeconds(leaseSecondsLeft));
    }

    /** The ids of the deliveries handed over when the event comes back recorded already, or null for none. */
    @SuppressWarnings("unchecked")
    private List<Object> takenWhenItComesBack(String eventId) {
        Exchange repeat = fanOut(eventId, List.of(claim("new-plan", 120)));
        claims.take(repeat);
        List<Map<String, Object>> taken = repeat.getProperty(DeliveryPlanner.PENDING, List.class);
        return taken == null ? null : taken.stream().map(claim -> claim.get("id")).toList();
    }

    @Test
    void the_claims_a_failed_transaction_wrote_are_handed_over_once() {
        Exchange failed = fanOut("evt-1", List.of(claim("a", 120), claim("b", 120)));
        UnconfirmedClaims.markWritten(failed.getProperty("hookpost.event", Map.class));
        claims.remember(failed);

        assertThat(takenWhenItComesBack("evt-1")).containsExactly("a", "b");
        assertThat(takenWhenItComesBack("evt-1")).isNull();
    }

    @Test
    void the_plan_of_an_event_whose_failed_transaction_wrote_nothing_of_it_is_not_kept() {
        // recorded before (a redelivered event), its transaction failed before its insert ran: its plan was never written
        claims.remember(fanOut("evt-2", List.of(claim("never-written", 120))));

        assertThat(takenWhenItComesBack("evt-2")).isNull();
    }

    @Test
    void claims_with_half_their_lease_gone_are_left_to_the_retry_scheduler() {
        Exchange failed = fanOut("evt-3", List.of(claim("old", 50), claim("young", 100)));
        UnconfirmedClaims.markWritten(failed.getProperty("hookpost.event", Map.class));
        claims.remember(failed);

        assertThat(takenWhenItComesBack("evt-3")).containsExactly("young");
    }

    @Test
    void claims_taken_by_a_transaction_that_fails_too_are_kept_again() {
        Exchange failed = fanOut("evt-4", List.of(claim("a", 120)));
        UnconfirmedClaims.markWritten(failed.getProperty("hookpost.event", Map.class));
        claims.remember(failed);
        Exchange repeat = fanOut("evt-4", List.of(claim("new-plan", 120)));
        claims.take(repeat);

        claims.remember(repeat); // its transaction failed as well

        assertThat(takenWhenItComesBack("evt-4")).containsExactly("a");
    }
}

package io.hookpost.outbound;

import java.util.List;
import java.util.Map;

import io.hookpost.support.HookpostTest;
import io.hookpost.support.StallingReceiver;
import org.apache.camel.CamelContext;
import org.apache.camel.api.management.ManagedCamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An endpoint that hangs gets more deliveries than it may have waiting in memory. The extra ones stay in the database
 * unclaimed, and the retry scheduler, finding them due, leaves them unclaimed until the endpoint can take them:
 * none is claimed only to be given back (a database commit per delivery, every busy-retry-delay, for every delivery
 * of an endpoint that hangs). Nothing is lost: every delivery is still pending.
 */
class BusyEndpointTest extends HookpostTest {
    /**
     * More than the endpoint may have waiting before its first attempt has ended: one at a time, and as many waiting
     * as it could attempt in half a lease (2 min) at the timeout (3 s in tests), 20.
     */
    private static final int EVENTS = 40;

    @Autowired
    CamelContext camel;

    private long exchanges(String processorId) {
        return camel.getCamelContextExtension().getContextPlugin(ManagedCamelContext.class)
                .getManagedProcessor(processorId).getExchangesTotal();
    }

    private void publish(int n) {
        var accepted = operator.post("/api/v1/accounts/" + account + "/events", Map.of("type", "busy.ping", "data", Map.of("n", n)));
        assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
    }

    private int unclaimed(String endpointId) {
        return count("SELECT COUNT(*) FROM deliveries WHERE endpoint_id = ? AND lease_owner IS NULL", endpointId);
    }

    @Test
    void deliveries_beyond_what_a_hanging_endpoint_may_have_waiting_stay_unclaimed_in_the_database() throws Exception {
        try (StallingReceiver hanging = new StallingReceiver()) {
            Map<String, Object> endpoint = Map.of("url", hanging.url("/hangs"), "eventTypes", List.of("busy.*"));
            var created = operator.post("/api/v1/accounts/" + account + "/endpoints", endpoint);
            assertThat(created.status()).as(created.text()).isEqualTo(201);
            String endpointId = created.json().get("id").asText();
            long releasedBefore = exchanges("release-busy-delivery");
            long postponedBefore = exchanges("postpone-busy-delivery");

            publish(0);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (hanging.accepted() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            // the first attempt hangs from now until the timeout (3 s in tests); the rest queue up behind it
            long firstRequest = System.nanoTime();
            for (int i = 1; i < EVENTS; i++) {
                publish(i);
            }
            // one in flight and 20 waiting in memory hold claims; the rest wait in the database. Events planned in
            // one burst (one group commit) are all handed over before the first of them reaches the endpoint's
            // count of those waiting, so the extra ones may each be given back once, now: not again after that
            eventually(() -> unclaimed(endpointId) == EVENTS - 21, "the extra deliveries left in the database");
            long releasedSettled = exchanges("release-busy-delivery");
            // the extra deliveries are due again after busy-retry-delay (1 s) and the retry scheduler polls every
            // second: it finds them due at least once before the first attempt times out
            Thread.sleep(Math.max(0, (firstRequest + 2_700_000_000L - System.nanoTime()) / 1_000_000));

            // before, each of the 19 extra deliveries was claimed, loaded and given back about once a second; now
            // none, but for one of another test's endpoints
            assertThat(exchanges("release-busy-delivery") - releasedSettled)
                    .as("deliveries claimed, loaded and given back again").isLessThan(3);
            assertThat(releasedSettled - releasedBefore).as("deliveries given back at first").isLessThanOrEqualTo(
                    EVENTS - 21 + 2);
            assertThat(exchanges("postpone-busy-delivery") - postponedBefore).as("due deliveries the scheduler left unclaimed").isPositive();
            assertThat(hanging.accepted()).as("requests the hanging endpoint holds open").isEqualTo(1);
            Map<String, Object> rows = db.queryForMap("SELECT count(*) AS deliveries,"
                    + " count(CASE WHEN status = 'pending' THEN 1 END) AS pending,"
                    + " count(CASE WHEN lease_owner IS NULL THEN 1 END) AS unclaimed"
                    + " FROM deliveries WHERE endpoint_id = ?", endpointId);
            assertThat(((Number) rows.get("deliveries")).intValue()).isEqualTo(EVENTS);
            assertThat(((Number) rows.get("pending")).intValue()).isEqualTo(EVENTS);
            assertThat(((Number) rows.get("unclaimed")).intValue()).isEqualTo(EVENTS - 21);

            // its pending deliveries are discarded with it, so they do not linger for the tests after this one
            assertThat(operator.delete("/api/v1/accounts/" + account + "/endpoints/" + endpointId).status()).isEqualTo(204);
        }
    }
}

package io.hookpost.outbound;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.hookpost.support.HookpostTest;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Leases: a delivery being attempted belongs to one claim; an expired claim is taken over. The race runs the
 * real claim SQL from many threads at once. Runs on H2 here and on PostgreSQL in {@link LeasePostgresTest}.
 */
class LeaseTest extends HookpostTest {

    /** A pending delivery of an endpoint of this test's account, inserted as a crashed worker would leave it. */
    private String pendingDelivery(String endpointId, OffsetDateTime leaseUntil) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        String eventId = "evt-" + UUID.randomUUID();
        db.update("INSERT INTO events (account_id, id, type, occurred_at, payload, source, created_at)"
                + " VALUES (?, ?, 'host.offline', ?, ?, 'api', ?)", account, eventId, now,
                "{\"id\":\"" + eventId + "\",\"type\":\"host.offline\",\"timestamp\":\"" + now + "\",\"data\":{}}", now);
        String id = "msg_" + UUID.randomUUID().toString().replace("-", "");
        db.update("INSERT INTO deliveries (id, account_id, event_id, endpoint_id, status, attempts, next_attempt_at,"
                + " lease_owner, lease_until, created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', 1, ?, ?, ?, ?, ?)",
                id, account, eventId, endpointId, now.minusMinutes(1), "crashed-worker", leaseUntil, now, now);
        return id;
    }

    @Test
    void of_many_simultaneous_claims_on_one_delivery_exactly_one_wins() throws Exception {
        String endpointId = createEndpoint(Map.of("url", receiver.url("/x"), "active", false)).get("id").asText();
        String deliveryId = pendingDelivery(endpointId, OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(1));
        // not due: the retry scheduler takes due deliveries whatever their endpoint's state (due-deliveries.sql), and
        // once it took this one in the middle of a round (no claim won); the claim itself does not look at the time due
        db.update("UPDATE deliveries SET next_attempt_at = ? WHERE id = ?", OffsetDateTime.now(ZoneOffset.UTC).plusDays(1),
                deliveryId);
        String claimSql = namedToPositional(new ClassPathResource("sql/claim-delivery.sql")
                .getContentAsString(StandardCharsets.UTF_8));
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 20; round++) {
                db.update("UPDATE deliveries SET lease_owner = 'old', lease_until = ? WHERE id = ?",
                        OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(1), deliveryId);
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<Integer>> claims = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    String token = "claim-" + round + "-" + t;
                    claims.add(pool.submit(() -> {
                        start.await();
                        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
                        // :#lease_owner, :#lease_until, :#id, :#now in the file's order
                        return db.update(claimSql, token, now.plusMinutes(2), deliveryId, now);
                    }));
                }
                int winners = 0;
                for (Future<Integer> claim : claims) {
                    winners += claim.get();
                }
                assertThat(winners).as("claims won in round " + round).isEqualTo(1);
                assertThat(db.queryForObject("SELECT lease_owner FROM deliveries WHERE id = ?", String.class, deliveryId))
                        .startsWith("claim-" + round + "-");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void an_expired_lease_is_picked_up_and_delivered_but_a_live_one_is_left_alone() throws Exception {
        String endpointId = createEndpoint(Map.of("url", receiver.url("/leases"))).get("id").asText();
        String live = pendingDelivery(endpointId, OffsetDateTime.now(ZoneOffset.UTC).plusMinutes(10));
        String expired = pendingDelivery(endpointId, OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(1));

        assertThat(receiver.next(WAIT).header("webhook-id")).isEqualTo(expired);
        eventually(() -> "delivered".equals(db.queryForObject("SELECT status FROM deliveries WHERE id = ?",
                String.class, expired)), "the abandoned delivery is delivered");
        assertThat(receiver.drain(Duration.ofMillis(2500))).isEmpty();
        assertThat(db.queryForObject("SELECT status FROM deliveries WHERE id = ?", String.class, live)).isEqualTo("pending");
    }

    /** camel-sql's {@code :#name} parameters as JDBC {@code ?}, keeping their order. */
    static String namedToPositional(String sql) throws IOException {
        Matcher m = Pattern.compile(":#[a-z_]+").matcher(sql);
        List<String> names = new ArrayList<>();
        while (m.find()) {
            names.add(m.group());
        }
        assertThat(names).containsExactly(":#lease_owner", ":#lease_until", ":#id", ":#now");
        return m.replaceAll("?");
    }
}

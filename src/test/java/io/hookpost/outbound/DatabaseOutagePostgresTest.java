package io.hookpost.outbound;

import java.sql.Connection;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;

import javax.sql.DataSource;

import io.hookpost.support.HookpostPostgresTest;
import io.hookpost.support.Postgres;
import io.hookpost.support.TestReceiver.Received;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An attempt whose database connection is lost (PostgreSQL terminates its backend, as a restart or a failover does)
 * is made again in memory once the database answers, not when its delivery's lease runs out (see {@link Postgres}).
 */
class DatabaseOutagePostgresTest extends HookpostPostgresTest {

    @Autowired
    DataSource dataSource;

    private int terminateWaitingLoads() {
        return db.queryForObject("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                + " WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%JOIN events ev%'",
                Integer.class);
    }

    @Test
    void a_delivery_whose_load_lost_its_connection_is_sent_seconds_later_not_a_lease_later() throws Exception {
        String endpointId = createEndpoint(Map.of("url", receiver.url("/after-outage"), "active", false)).get("id").asText();
        String path = "/api/v1/accounts/" + account + "/endpoints/" + endpointId;
        OffsetDateTime start = OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(1);
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of()));
        eventually(() -> "held".equals(deliveriesOf(eventId).get(0).get("status")), "the delivery is held");

        try (Connection locker = dataSource.getConnection(); Statement lock = locker.createStatement()) {
            // the load of the delivery (it reads its event) waits here, claimed, until its backend is terminated
            locker.setAutoCommit(false);
            lock.execute("LOCK TABLE events IN ACCESS EXCLUSIVE MODE");
            assertThat(operator.post(path + "/enable", Map.of()).status()).isEqualTo(200);
            assertThat(operator.post(path + "/recover", Map.of("since", start.toString())).status()).isEqualTo(202);
            eventually(() -> terminateWaitingLoads() == 1, "the claimed delivery's load is terminated");
            locker.commit();
        }

        // before, the failure ended the attempt and the delivery went out when its claim's lease ran out (2 min)
        Received post = receiver.next(WAIT);
        assertThat(post.header("webhook-id")).isEqualTo(deliveriesOf(eventId).get(0).get("id"));
        eventually(() -> "delivered".equals(deliveriesOf(eventId).get(0).get("status")), "the delivery is delivered");
        assertThat(((Number) deliveriesOf(eventId).get(0).get("attempts")).intValue()).isEqualTo(1);
    }
}

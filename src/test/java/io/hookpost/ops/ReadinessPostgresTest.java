package io.hookpost.ops;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookpost.support.Api;
import io.hookpost.support.HookpostPostgresTest;
import io.hookpost.support.OperatorClient;
import io.hookpost.support.Postgres;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 6, point 3: readiness goes down while the database is unreachable and comes back by itself. On a real
 * PostgreSQL (see {@link Postgres}), made unreachable for real: it refuses new connections and closes the open ones.
 */
class ReadinessPostgresTest extends HookpostPostgresTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration OUTAGE_WAIT = Duration.ofSeconds(60);

    @DynamicPropertySource
    static void poolWait(DynamicPropertyRegistry registry) {
        // an API call waits this long (ms) for a connection of the pool while the database is away (Spring Boot's
        // default: 30 s)
        registry.add("spring.datasource.hikari.connection-timeout", () -> "3000");
    }

    @org.springframework.beans.factory.annotation.Autowired
    private EmbeddedDatabaseCompaction compaction;

    @Test
    void postgresql_needs_no_compaction_of_hookposts() {
        assertThat(compaction.active()).isFalse();
    }

    @Test
    void readiness_goes_down_while_the_database_is_unreachable_and_comes_back_by_itself() throws Exception {
        OperatorClient probe = OperatorClient.anonymous(port);
        assertThat(status(probe.get("/actuator/health/readiness"))).isEqualTo("UP");

        POSTGRES.refuseConnections();
        try {
            JsonNode down = await(probe, "/actuator/health/readiness", r -> r.statusCode() == 503, "readiness DOWN");
            assertThat(down.get("status").asText()).isEqualTo("DOWN");
            assertThat(down.at("/components/db/status").asText()).isEqualTo("DOWN");
            assertThat(down.at("/components/jms/status").asText()).isEqualTo("UP");

            // a probe gets its answer promptly (hookpost.ops.health-timeout, 3 s), not after the pool's 30 s
            long started = System.nanoTime();
            HttpResponse<String> again = probe.get("/actuator/health/readiness");
            assertThat(again.statusCode()).isEqualTo(503);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));

            // an API call that needs the database: 503 with Retry-After once the pool gives up, not a 500
            Api.Response unavailable = operator.get("/api/v1/accounts/" + account + "/endpoints");
            assertProblem(unavailable, 503, "database cannot be reached");
            assertThat(unavailable.headers().firstValue("Retry-After")).isPresent();

            // alive all the same: restarting would not bring the database back
            HttpResponse<String> liveness = probe.get("/actuator/health/liveness");
            assertThat(liveness.statusCode()).isEqualTo(200);
            assertThat(status(liveness)).isEqualTo("UP");
        } finally {
            POSTGRES.allowConnections();
        }

        JsonNode up = await(probe, "/actuator/health/readiness", r -> r.statusCode() == 200, "readiness UP again");
        assertThat(up.at("/components/db/status").asText()).isEqualTo("UP");

        // and the application works again: an event published now is delivered
        createEndpoint(Map.of("url", receiver.url("/after-outage")));
        String eventId = publish(Map.of("type", "host.online", "data", Map.of("host", "db-1")));
        eventually(() -> "delivered".equals(deliveriesOf(eventId).get(0).get("status")), "the event is delivered");
    }

    private static JsonNode await(OperatorClient probe, String path, Predicate<HttpResponse<String>> condition, String what)
            throws Exception {
        long deadline = System.nanoTime() + OUTAGE_WAIT.toNanos();
        HttpResponse<String> last = null;
        while (System.nanoTime() < deadline) {
            last = probe.get(path);
            if (condition.test(last)) {
                return JSON.readTree(last.body());
            }
            Thread.sleep(250);
        }
        throw new AssertionError("timed out waiting for " + what + "; last answer " + (last == null ? null
                : last.statusCode() + " " + last.body()));
    }

    private static String status(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body()).get("status").asText();
    }
}

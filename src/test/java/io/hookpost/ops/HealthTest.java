package io.hookpost.ops;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookpost.support.Api;
import io.hookpost.support.HookpostTest;
import io.hookpost.support.OperatorClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 6, point 3 (on H2; readiness while the database is away: {@link ReadinessPostgresTest}): health with
 * database, broker and backlog indicators; open to everyone, details for the operator.
 */
class HealthTest extends HookpostTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private String ghostDelivery;

    @AfterEach
    void discardGhost() {
        if (ghostDelivery != null) {
            db.update("UPDATE deliveries SET status = 'discarded', lease_owner = NULL, lease_until = NULL WHERE id = ?", ghostDelivery);
        }
    }

    @Test
    void health_is_open_and_lists_database_broker_and_backlog() throws Exception {
        JsonNode health = json(OperatorClient.anonymous(port).get("/actuator/health"), 200);
        assertThat(health.get("status").asText()).isEqualTo("UP");
        for (String component : new String[]{"db", "jms", "backlog", "diskSpace"}) {
            assertThat(health.at("/components/" + component + "/status").asText()).as(component).isEqualTo("UP");
            assertThat(health.at("/components/" + component).has("details")).as("no details for strangers").isFalse();
        }
        assertThat(json(OperatorClient.anonymous(port).get("/actuator/health/liveness"), 200).get("status").asText()).isEqualTo("UP");
        JsonNode readiness = json(OperatorClient.anonymous(port).get("/actuator/health/readiness"), 200);
        assertThat(readiness.get("status").asText()).isEqualTo("UP");
        assertThat(readiness.get("components").fieldNames()).toIterable().containsExactlyInAnyOrder("readinessState", "db", "jms");
    }

    @Autowired
    private ApplicationContext context;

    @Test
    void the_embedded_database_file_is_compacted_while_hookpost_runs() {
        assertThat(context.getBean(EmbeddedDatabaseCompaction.class).active()).isTrue();
    }

    @Test
    void while_not_ready_the_api_and_the_callbacks_answer_503_problems_and_nothing_is_recorded() throws Exception {
        int events = count("SELECT COUNT(*) FROM events");
        AvailabilityChangeEvent.publish(context, ReadinessState.REFUSING_TRAFFIC);
        try {
            Api.Response ingest = operator.post("/api/v1/accounts/" + account + "/events",
                    Map.of("type", "host.offline", "data", Map.of()));
            assertProblem(ingest, 503, "starting or stopping");
            assertThat(ingest.headers().firstValue("Retry-After")).hasValue("2");
            Api.Response callback = operator.post("/inbound/email-status/prv_unknown", Map.of());
            assertProblem(callback, 503, "starting or stopping");
            // the operator's pages and the probes still answer: they say why
            JsonNode readiness = json(OperatorClient.anonymous(port).get("/actuator/health/readiness"), 503);
            assertThat(readiness.get("status").asText()).isEqualTo("OUT_OF_SERVICE");
        } finally {
            AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
        }
        assertThat(count("SELECT COUNT(*) FROM events")).isEqualTo(events);
        assertThat(operator.post("/api/v1/accounts/" + account + "/events",
                Map.of("type", "host.offline", "data", Map.of())).status()).isEqualTo(202);
    }

    @Test
    void the_operator_sees_the_details() throws Exception {
        JsonNode health = json(OperatorClient.basic(port, CONSOLE_USER, CONSOLE_PASSWORD).get("/actuator/health"), 200);
        assertThat(health.at("/components/db/details/database").asText()).isEqualTo("H2");
        assertThat(health.at("/components/jms/details/provider").asText()).containsIgnoringCase("ActiveMQ");
        JsonNode backlog = health.at("/components/backlog/details");
        assertThat(backlog.get("overdueAfter").asText()).isEqualTo("PT5M");
        assertThat(backlog.get("highWaterMark").asInt()).isEqualTo(1000);
        assertThat(backlog.has("overdue")).isTrue();
        assertThat(backlog.has("held")).isTrue();
    }

    @Test
    void an_overdue_delivery_is_reported_and_the_backlog_is_down_beyond_its_high_water_mark() throws Exception {
        ghostDelivery = overdueDelivery();

        // the application's check (high-water mark 1000): UP, with the overdue delivery counted (read every 5 s)
        OperatorClient operator = OperatorClient.basic(port, CONSOLE_USER, CONSOLE_PASSWORD);
        eventually(() -> {
            try {
                JsonNode backlog = json(operator.get("/actuator/health"), 200).at("/components/backlog");
                return backlog.at("/status").asText().equals("UP") && backlog.at("/details/overdue").asLong() >= 1
                        && backlog.at("/details/oldestDueSeconds").asLong() >= 3600;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "the backlog check counts the overdue delivery");

        // the same check with a high-water mark of 1, on the same database, read at once
        DeliveryBacklog backlog = new DeliveryBacklog(db, Duration.ZERO, Duration.ofSeconds(5), Duration.ofMinutes(5));
        Health down = new OpsHealth.Backlog(backlog, 1).health();
        assertThat(down.getStatus()).isEqualTo(Status.DOWN);
        assertThat((Long) down.getDetails().get("overdue")).isGreaterThanOrEqualTo(1);

        // delivered after all: below the mark again
        db.update("UPDATE deliveries SET status = 'delivered', lease_owner = NULL, lease_until = NULL WHERE id = ?", ghostDelivery);
        long others = count("SELECT COUNT(*) FROM deliveries WHERE status = 'pending' AND next_attempt_at < ?",
                OffsetDateTime.now(ZoneOffset.UTC).minusMinutes(5));
        Health after = new OpsHealth.Backlog(backlog, (int) others + 1).health();
        assertThat(after.getStatus()).isEqualTo(Status.UP);
    }

    /** A pending delivery due an hour ago, leased by a worker that will never come back for another hour. */
    private String overdueDelivery() {
        String endpointId = createEndpoint(Map.of("url", receiver.url("/never"))).get("id").asText();
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        String eventId = "evt_ghost_" + UUID.randomUUID();
        db.update("INSERT INTO events (account_id, id, type, occurred_at, payload, source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                account, eventId, "host.offline", now.minusHours(1), "{}", "api", now.minusHours(1));
        String deliveryId = "msg_ghost_" + UUID.randomUUID().toString().substring(0, 8);
        db.update("INSERT INTO deliveries (id, account_id, event_id, endpoint_id, status, attempts, next_attempt_at, "
                        + "lease_owner, lease_until, created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?, ?)",
                deliveryId, account, eventId, endpointId, now.minusHours(1), "ghost-worker", now.plusHours(1),
                now.minusHours(1), now.minusHours(1));
        return deliveryId;
    }

    private static JsonNode json(HttpResponse<String> response, int status) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return JSON.readTree(response.body());
    }
}

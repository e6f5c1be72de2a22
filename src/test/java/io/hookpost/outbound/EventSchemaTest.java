package io.hookpost.outbound;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.hookpost.support.Api;
import io.hookpost.support.HookpostTest;
import org.apache.camel.ConsumerTemplate;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/** An event type's JSON schema checks its events' data: 422 at the API, parked from the queue, nothing recorded either way. */
class EventSchemaTest extends HookpostTest {
    @Autowired
    ProducerTemplate producer;
    @Autowired
    ConsumerTemplate consumer;

    private String type;

    @BeforeEach
    void findingTypeWithSchema() {
        type = account + ".finding.created";
        Map<String, Object> schema = Map.of("type", "object", "required", List.of("severity", "asset"),
                "properties", Map.of(
                        "severity", Map.of("enum", List.of("low", "medium", "high", "critical")),
                        "asset", Map.of("type", "string"),
                        "score", Map.of("type", "number", "maximum", 10)));
        Api.Response created = operator.post("/api/v1/event-types",
                Map.of("name", type, "category", "Findings", "schema", schema));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        createEndpoint(Map.of("url", receiver.url("/findings"), "eventTypes", List.of(type)));
    }

    @Test
    void an_event_whose_data_violates_its_schema_gets_422_naming_the_violation_and_nothing_is_recorded() throws Exception {
        Api.Response wrongValue = operator.post("/api/v1/accounts/" + account + "/events",
                Map.of("type", type, "data", Map.of("severity", "urgent", "asset", "web-1")));
        assertThat(wrongValue.status()).as(wrongValue.text()).isEqualTo(422);
        assertThat(wrongValue.contentType()).startsWith("application/problem+json");
        assertThat(wrongValue.json().get("detail").asText())
                .contains(type).contains("$.severity").contains("enumeration");

        Api.Response missingAndTooHigh = operator.post("/api/v1/accounts/" + account + "/events",
                Map.of("type", type, "data", Map.of("severity", "high", "score", 11)));
        assertThat(missingAndTooHigh.status()).isEqualTo(422);
        assertThat(missingAndTooHigh.json().get("detail").asText()).contains("asset").contains("$.score");

        assertThat(receiver.drain(Duration.ofSeconds(1))).isEmpty();
        assertThat(count("SELECT COUNT(*) FROM events WHERE account_id = ?", account)).isZero();
        assertThat(count("SELECT COUNT(*) FROM deliveries WHERE account_id = ?", account)).isZero();
    }

    @Test
    void schema_violations_are_described_in_english_whatever_the_servers_default_language() {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.forLanguageTag("tr-TR"));
        try {
            Api.Response wrongValue = operator.post("/api/v1/accounts/" + account + "/events",
                    Map.of("type", type, "data", Map.of("severity", "urgent", "asset", "web-1", "score", 11)));
            assertThat(wrongValue.status()).as(wrongValue.text()).isEqualTo(422);
            // the library's Turkish: "numaralandırmasında bir değer yok", "en fazla 10 değerine sahip olmalıdır"
            assertThat(wrongValue.json().get("detail").asText())
                    .contains("$.severity: does not have a value in the enumeration")
                    .contains("$.score: must have a maximum value of 10");

            Api.Response badSchema = operator.post("/api/v1/event-types",
                    Map.of("name", account + ".finding.bad", "schema", Map.of("type", "objekt")));
            assertProblem(badSchema, 400, "$.type: does not have a value in the enumeration");
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void an_event_that_matches_its_schema_is_delivered() throws Exception {
        publish(Map.of("type", type, "data", Map.of("severity", "high", "asset", "web-1", "score", 7.5)));
        assertThat(receiver.next(WAIT).bodyText()).contains("\"severity\":\"high\"");
    }

    @Test
    void a_queued_event_that_violates_its_schema_is_parked_with_the_reason_and_not_recorded() throws Exception {
        String message = "{\"account\":\"" + account + "\",\"id\":\"bad-1\",\"type\":\"" + type + "\","
                + "\"data\":{\"severity\":\"urgent\",\"asset\":\"web-1\"}}";
        producer.sendBody("jms:queue:hookpost.events", message.getBytes());

        Exchange parked = parkedFor(account);
        assertThat(parked.getMessage().getBody(String.class)).isEqualTo(message);
        assertThat(parked.getMessage().getHeader("hookpostInvalidReason", String.class))
                .contains(type).contains("$.severity");
        assertThat(count("SELECT COUNT(*) FROM events WHERE account_id = ?", account)).isZero();
        assertThat(receiver.drain(Duration.ofMillis(500))).isEmpty();
    }

    @Test
    void events_published_or_broadcast_through_the_api_are_not_checked_again_on_the_queue() throws Exception {
        // as when the type got its schema after the API checked and accepted them
        for (String source : List.of("api", "broadcast")) {
            String message = "{\"account\":\"" + account + "\",\"id\":\"" + source + "-1\",\"type\":\"" + type
                    + "\",\"data\":{\"severity\":\"urgent\"}}";
            producer.sendBodyAndHeader("jms:queue:hookpost.events", message.getBytes(), "hookpostSource", source);
        }
        eventually(() -> count("SELECT COUNT(*) FROM events WHERE account_id = ?", account) == 2, "both recorded");
        assertThat(db.queryForList("SELECT source FROM events WHERE account_id = ? ORDER BY source", String.class,
                account)).containsExactly("api", "broadcast");
    }

    @Test
    void a_type_added_through_the_api_checks_the_very_next_event_even_when_events_of_it_came_before() {
        String late = account + ".scan.finished";
        Map<String, Object> before = Map.of("type", late, "data", Map.of("status", "done"));
        assertThat(operator.post("/api/v1/accounts/" + account + "/events", before).status()).isEqualTo(202);

        Api.Response created = operator.post("/api/v1/event-types", Map.of("name", late,
                "schema", Map.of("type", "object", "required", List.of("scanId"))));
        assertThat(created.status()).as(created.text()).isEqualTo(201);

        Api.Response after = operator.post("/api/v1/accounts/" + account + "/events", before);
        assertThat(after.status()).as(after.text()).isEqualTo(422);
        assertThat(after.json().get("detail").asText()).contains("scanId");
    }

    @Test
    void a_schema_another_instance_put_in_the_catalog_applies_here_within_the_schema_refresh() throws Exception {
        String late = account + ".scan.failed";
        Map<String, Object> event = Map.of("type", late, "data", Map.of("status", "failed"));
        assertThat(operator.post("/api/v1/accounts/" + account + "/events", event).status()).isEqualTo(202);

        // as another Hookpost instance on the same database would add it
        db.update("INSERT INTO event_types (name, json_schema, created_at) VALUES (?, ?, CURRENT_TIMESTAMP)",
                late, "{\"type\":\"object\",\"required\":[\"scanId\"]}");
        long added = System.nanoTime();
        int status;
        do {
            status = operator.post("/api/v1/accounts/" + account + "/events", event).status();
        } while (status == 202 && System.nanoTime() - added < WAIT.toNanos());
        assertThat(status).isEqualTo(422);
        // hookpost.events.schema-refresh is 1 s; the margin is for a slow machine
        assertThat(Duration.ofNanos(System.nanoTime() - added)).isLessThan(Duration.ofSeconds(5));
    }

    /** The next parked message of this account (the invalid queue is shared by every test of the run). */
    private Exchange parkedFor(String account) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Exchange parked = consumer.receive("jms:queue:hookpost.events.invalid", 500);
            if (parked != null && parked.getMessage().getBody(String.class).contains(account)) {
                return parked;
            }
        }
        throw new AssertionError("nothing of " + account + " was parked on hookpost.events.invalid");
    }
}

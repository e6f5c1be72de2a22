package io.hookpost.api;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookpost.support.Api;
import io.hookpost.support.HookpostTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/** The event-type catalog: operators add types with a category and schema, every key reads it, endpoints subscribe by category. */
class EventTypeApiTest extends HookpostTest {
    private static final String TYPES = "/api/v1/event-types";

    @Autowired
    ApiKeys keys;


    /** The catalog is global: each test names its types after its own account. */
    private String type(String name) {
        return account + "." + name;
    }

    private int typesNamed(String name) {
        return count("SELECT COUNT(*) FROM event_types WHERE name = ?", name);
    }

    @Test
    void an_operator_adds_a_type_and_any_key_lists_it_with_category_description_and_schema() {
        Map<String, Object> schema = Map.of("type", "object", "required", List.of("host"),
                "properties", Map.of("host", Map.of("type", "string")));
        Api.Response created = operator.post(TYPES, Map.of("name", type("host.offline"), "category", "Incident Reports",
                "description", "A host stopped reporting", "schema", schema));

        assertThat(created.status()).as(created.text()).isEqualTo(201);
        assertThat(created.json().get("name").asText()).isEqualTo(type("host.offline"));
        assertThat(created.json().get("category").asText()).isEqualTo("Incident Reports");
        assertThat(created.json().get("createdAt").asText()).endsWith("Z");

        Api.Response listed = operator.withKey(keys.issue(account, "reader")).get(TYPES);
        assertThat(listed.status()).as(listed.text()).isEqualTo(200);
        JsonNode entry = null;
        for (JsonNode t : listed.json()) {
            if (t.get("name").asText().equals(type("host.offline"))) {
                entry = t;
            }
        }
        assertThat(entry).as(listed.text()).isNotNull();
        assertThat(entry.get("category").asText()).isEqualTo("Incident Reports");
        assertThat(entry.get("description").asText()).isEqualTo("A host stopped reporting");
        assertThat(entry.get("schema").get("required").get(0).asText()).isEqualTo("host");
        assertThat(entry.get("createdAt").asText()).isEqualTo(created.json().get("createdAt").asText());
    }

    @Test
    void a_type_without_category_or_schema_is_listed_with_nulls() {
        assertThat(operator.post(TYPES, Map.of("name", type("plain"))).status()).isEqualTo(201);
        JsonNode plain = null;
        for (JsonNode t : operator.get(TYPES).json()) {
            if (t.get("name").asText().equals(type("plain"))) {
                plain = t;
            }
        }
        assertThat(plain).isNotNull();
        assertThat(plain.get("category").isNull()).isTrue();
        assertThat(plain.get("schema").isNull()).isTrue();
    }

    @Test
    void only_an_operator_key_may_add_types() {
        Api accountAdmin = operator.withKey(keys.issue(account, "admin"));
        assertProblem(accountAdmin.post(TYPES, Map.of("name", type("mine"))), 403, "operator");
        assertProblem(operator.withKey(null).get(TYPES), 401, "Bearer");
        assertThat(typesNamed(type("mine"))).isZero();
    }

    @Test
    void a_type_that_already_exists_gets_409_and_keeps_its_first_definition() {
        assertThat(operator.post(TYPES, Map.of("name", type("dup"), "category", "First")).status()).isEqualTo(201);
        assertProblem(operator.post(TYPES, Map.of("name", type("dup"), "category", "Second")), 409, "already exists");
        assertThat(db.queryForObject("SELECT category FROM event_types WHERE name = ?", String.class, type("dup")))
                .isEqualTo("First");
    }

    @Test
    void a_schema_that_is_not_a_valid_json_schema_gets_400_and_nothing_is_stored() throws Exception {
        assertProblem(operator.post(TYPES, Map.of("name", type("s1"), "schema", Map.of("type", "nonsense"))),
                400, "$.type");
        assertProblem(operator.post(TYPES, Map.of("name", type("s2"), "schema", Map.of("properties", List.of()))),
                400, "$.properties");
        assertProblem(operator.post(TYPES, Map.of("name", type("s3"), "schema", Map.of("minimum", "ten"))),
                400, "not a valid JSON Schema");
        assertProblem(operator.post(TYPES, Map.of("name", type("s4"), "schema", "just a string")), 400, "'schema' must be");
        assertProblem(operator.post(TYPES, Map.of("name", type("s5"), "schema", Map.of("$ref", "#/$defs/missing"))),
                400, "cannot be resolved");
        // a schema never makes Hookpost fetch a URL
        assertProblem(operator.post(TYPES, Map.of("name", type("s6"), "schema", Map.of("$ref", receiver.url("/schema.json")))),
                400, "not allowed to be loaded");
        assertProblem(operator.post(TYPES, Map.of("name", type("s7"), "schema", Map.of("$schema", receiver.url("/meta")))),
                400, "not allowed to be loaded");

        // the validator reads numbers beyond a double as Infinity, and counts as a Java int (2^32 + 1 became 1)
        assertProblem(operator.post(TYPES, "{\"name\":\"" + type("s8") + "\",\"schema\":{\"type\":1e400}}"), 400,
                "too large");
        assertProblem(operator.post(TYPES, "{\"name\":\"" + type("s9") + "\",\"schema\":{\"multipleOf\":1e400}}"), 400,
                "too large");
        assertProblem(operator.post(TYPES, Map.of("name", type("s10"), "schema", Map.of("minProperties", 4294967297L))),
                400, "'minProperties' must be at most 2147483647");
        // a $ref cycle that reads no deeper into the data never ends: every event of the type was a 500
        assertProblem(operator.post(TYPES, Map.of("name", type("s11"), "schema", Map.of("$ref", "#"))), 400,
                "refers to itself without end");
        assertProblem(operator.post(TYPES, Map.of("name", type("s12"), "schema",
                Map.of("allOf", List.of(Map.of("$ref", "#"))))), 400, "refers to itself without end");
        Api.Response badPattern = operator.post(TYPES, Map.of("name", type("s13"), "schema", Map.of("pattern", "(")));
        assertProblem(badPattern, 400, "not a valid JSON Schema");
        assertThat(badPattern.json().get("detail").asText()).doesNotContain("java.").doesNotContain("Exception");

        assertThat(receiver.drain(Duration.ofMillis(300))).isEmpty();
        assertThat(count("SELECT COUNT(*) FROM event_types WHERE name LIKE ?", account + ".s%")).isZero();
    }

    @Test
    void a_self_referring_schema_saved_before_it_was_refused_gets_its_events_a_422_not_a_500() {
        String name = type("loop");
        db.update("INSERT INTO event_types (name, json_schema, created_at) VALUES (?, ?, CURRENT_TIMESTAMP)", name,
                "{\"$ref\":\"#\"}");
        assertProblem(operator.post("/api/v1/accounts/" + account + "/events", Map.of("type", name, "data", Map.of())),
                422, "refers to itself without end");
    }

    @Test
    void a_schema_may_name_an_older_draft() {
        Api.Response created = operator.post(TYPES, Map.of("name", type("draft7"),
                "schema", Map.of("$schema", "http://json-schema.org/draft-07/schema#", "type", "object")));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
    }

    @Test
    void bad_names_and_fields_get_400() {
        assertProblem(operator.post(TYPES, Map.of("category", "x")), 400, "'name' is required");
        assertProblem(operator.post(TYPES, Map.of("name", "host.*")), 400, "'name' must be an event type");
        assertProblem(operator.post(TYPES, Map.of("name", "has space")), 400, "'name'");
        assertProblem(operator.post(TYPES, Map.of("name", type("x"), "category", " ")), 400, "'category'");
        assertProblem(operator.post(TYPES, Map.of("name", type("x"), "colour", "red")), 400, "colour");
        assertThat(typesNamed(type("x"))).isZero();
    }

    @Test
    void an_example_is_kept_as_sent_and_shown_with_the_type_to_every_key() {
        String name = type("host.offline");
        Api.Response created = operator.post(TYPES, "{\"name\":\"" + name + "\",\"schema\":{\"type\":\"object\","
                + "\"required\":[\"host\"]},\"example\":{\"host\":\"web-1\",\"load\":0.10000000000000000001,"
                + "\"count\":12345678901234567890,\"huge\":1E+400}}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        assertThat(created.json().get("example").get("host").asText()).isEqualTo("web-1");

        Api.Response one = operator.withKey(keys.issue(account, "reader")).get(TYPES + "/" + name);
        assertThat(one.status()).as(one.text()).isEqualTo(200);
        assertThat(one.json().get("name").asText()).isEqualTo(name);
        assertThat(one.json().get("schema").get("required").get(0).asText()).isEqualTo("host");
        // the numbers as the operator wrote them, not as a double reads them (0.1, 12345678901234567000, Infinity)
        assertThat(one.text()).contains("0.10000000000000000001", "12345678901234567890", "1E+400");
        assertThat(operator.get(TYPES).text()).contains("\"load\":0.10000000000000000001");
        assertProblem(operator.get(TYPES + "/" + type("absent")), 404, "No event type");
    }

    @Test
    void an_example_that_is_not_an_events_data_or_does_not_match_the_schema_gets_400_and_nothing_is_stored() {
        Map<String, Object> schema = Map.of("type", "object", "required", List.of("host"));
        assertProblem(operator.post(TYPES, Map.of("name", type("e1"), "schema", schema, "example", Map.of("other", 1))),
                400, "'example' does not match the schema");
        assertProblem(operator.post(TYPES, Map.of("name", type("e2"), "example", "web-1")), 400,
                "'example' must be a JSON object");
        assertProblem(operator.post(TYPES, Map.of("name", type("e3"), "example", List.of(1, 2))), 400,
                "'example' must be a JSON object");
        assertProblem(operator.post(TYPES, "{\"name\":\"" + type("e4") + "\",\"example\":{\"a\":\"\\ud800\"}}"), 400,
                "lone UTF-16 surrogate");
        // within the request's limit, beyond an event's (hookpost.events.max-payload-bytes, 262,144 bytes)
        assertProblem(operator.post(TYPES, Map.of("name", type("e5"), "example", Map.of("big", "x".repeat(270_000)))),
                413, "'example' is 270010 bytes; the limit is 262144 bytes");
        assertThat(count("SELECT COUNT(*) FROM event_types WHERE name LIKE ?", account + ".e%")).isZero();
    }

    @Test
    void an_operator_changes_a_type_field_by_field_and_its_new_schema_applies_to_the_next_event() {
        String name = type("ticket.created");
        assertThat(operator.post(TYPES, Map.of("name", name, "category", "Tickets", "description", "A ticket opened",
                "example", Map.of("ticket", "T-1"))).status()).isEqualTo(201);
        String events = "/api/v1/accounts/" + account + "/events";
        assertThat(operator.post(events, Map.of("type", name, "data", Map.of("id", 7))).status()).isEqualTo(202);

        Api.Response moved = operator.patch(TYPES + "/" + name, Map.of("category", "Support"));
        assertThat(moved.status()).as(moved.text()).isEqualTo(200);
        assertThat(moved.json().get("category").asText()).isEqualTo("Support");
        assertThat(moved.json().get("description").asText()).as("untouched").isEqualTo("A ticket opened");
        assertThat(moved.json().get("example").get("ticket").asText()).isEqualTo("T-1");

        // a schema the kept example breaks is refused: a test of the type would send data its schema refuses
        Map<String, Object> schema = Map.of("type", "object", "required", List.of("ticket"),
                "properties", Map.of("ticket", Map.of("type", "string")));
        Api.Response refused = operator.patch(TYPES + "/" + name, Map.of("schema",
                Map.of("type", "object", "required", List.of("id"))));
        assertProblem(refused, 400, "'example' does not match the schema of event type '" + name + "'");
        assertThat(db.queryForObject("SELECT json_schema FROM event_types WHERE name = ?", String.class, name)).isNull();

        assertThat(operator.patch(TYPES + "/" + name, Map.of("schema", schema)).status()).isEqualTo(200);
        // at once on this instance: the event that passed before is now refused
        assertProblem(operator.post(events, Map.of("type", name, "data", Map.of("id", 7))), 422,
                "'data' does not match the schema of event type '" + name + "'");
        assertThat(operator.post(events, Map.of("type", name, "data", Map.of("ticket", "T-2"))).status()).isEqualTo(202);
        assertProblem(operator.patch(TYPES + "/" + name, Map.of("example", Map.of("ticket", 5))), 400,
                "'example' does not match");

        Map<String, Object> cleared = new java.util.HashMap<>();
        cleared.put("description", null);
        cleared.put("example", null);
        cleared.put("name", name);
        Api.Response blanked = operator.patch(TYPES + "/" + name, cleared);
        assertThat(blanked.status()).as(blanked.text()).isEqualTo(200);
        assertThat(blanked.json().get("description").isNull()).isTrue();
        assertThat(blanked.json().get("example").isNull()).isTrue();
        assertThat(blanked.json().get("schema").get("required").get(0).asText()).isEqualTo("ticket");
        assertThat(blanked.json().get("category").asText()).isEqualTo("Support");

        assertProblem(operator.patch(TYPES + "/" + name, Map.of("name", name + "2")), 400, "'name' cannot change");
        assertProblem(operator.patch(TYPES + "/" + name, Map.of("colour", "red")), 400, "colour");
        assertProblem(operator.patch(TYPES + "/" + name, Map.of("category", " ")), 400, "'category'");
        assertProblem(operator.patch(TYPES + "/" + type("absent"), Map.of("category", "x")), 404, "No event type");
        assertProblem(operator.withKey(keys.issue(account, "admin")).patch(TYPES + "/" + name, Map.of("category", "Mine")),
                403, "operator");
        assertThat(db.queryForObject("SELECT category FROM event_types WHERE name = ?", String.class, name))
                .isEqualTo("Support");
    }

    @Test
    void an_archived_type_leaves_the_list_and_its_events_are_still_accepted_and_delivered_until_it_comes_back()
            throws Exception {
        String name = type("agent.legacy");
        assertThat(operator.post(TYPES, Map.of("name", name, "category", "Legacy " + account)).status()).isEqualTo(201);
        createEndpoint(Map.of("url", receiver.url("/legacy"), "categories", List.of("Legacy " + account)));

        assertThat(operator.delete(TYPES + "/" + name).status()).isEqualTo(204);
        assertThat(names(operator.get(TYPES))).doesNotContain(name);
        assertThat(names(operator.withKey(keys.issue(account, "reader")).get(TYPES))).doesNotContain(name);
        JsonNode all = operator.get(TYPES + "?includeArchived=true").json();
        assertThat(names(all)).contains(name);
        JsonNode one = operator.get(TYPES + "/" + name).json();
        assertThat(one.get("archivedAt").asText()).endsWith("Z");
        // again: nothing changes, the first archiving's time stays
        assertThat(operator.delete(TYPES + "/" + name).status()).isEqualTo(204);
        assertThat(operator.get(TYPES + "/" + name).json().get("archivedAt").asText())
                .isEqualTo(one.get("archivedAt").asText());

        // a producer still sending it breaks nothing: accepted, and its category's subscriber gets it
        publish(Map.of("type", name, "data", Map.of("n", 1)));
        assertThat(receiver.next(WAIT).header("X-Webhook-Event")).isEqualTo(name);

        assertProblem(operator.post(TYPES, Map.of("name", name)), 409, "{\"archived\": false} brings it back");
        Api.Response back = operator.patch(TYPES + "/" + name, Map.of("archived", false));
        assertThat(back.status()).as(back.text()).isEqualTo(200);
        assertThat(back.json().get("archivedAt").isNull()).isTrue();
        assertThat(names(operator.get(TYPES))).contains(name);
        Api.Response patched = operator.patch(TYPES + "/" + name, Map.of("archived", true));
        assertThat(patched.json().get("archivedAt").asText()).endsWith("Z");

        assertProblem(operator.get(TYPES + "?includeArchived=yes"), 400, "'includeArchived' must be true or false");
        Map<String, Object> nullArchived = new java.util.HashMap<>();
        nullArchived.put("archived", null);
        assertProblem(operator.patch(TYPES + "/" + name, nullArchived), 400, "'archived' must be true or false");
        assertProblem(operator.post(TYPES, Map.of("name", type("new"), "archived", true)), 400, "archived");
        assertProblem(operator.delete(TYPES + "/" + type("absent")), 404, "No event type");
        String other = type("kept");
        assertThat(operator.post(TYPES, Map.of("name", other)).status()).isEqualTo(201);
        assertProblem(operator.withKey(keys.issue(account, "admin")).delete(TYPES + "/" + other), 403, "operator");
        assertThat(names(operator.get(TYPES))).contains(other);
    }

    @Test
    void an_expunged_type_leaves_the_catalog_for_good_with_its_schema_and_its_name_can_be_created_again()
            throws Exception {
        String name = type("agent.gone");
        Map<String, Object> schema = Map.of("type", "object", "required", List.of("host"));
        assertThat(operator.post(TYPES, Map.of("name", name, "category", "Gone " + account, "schema", schema,
                "example", Map.of("host", "web-1"))).status()).isEqualTo(201);
        assertThat(operator.delete(TYPES + "/" + name).status()).as("archived first: either may be expunged")
                .isEqualTo(204);
        createEndpoint(Map.of("url", receiver.url("/by-name"), "eventTypes", List.of(name)));
        createEndpoint(Map.of("url", receiver.url("/by-category"), "categories", List.of("Gone " + account)));

        assertProblem(operator.delete(TYPES + "/" + name + "?expunge=yes"), 400, "'expunge' must be true or false");
        assertProblem(operator.withKey(keys.issue(account, "admin")).delete(TYPES + "/" + name + "?expunge=true"), 403,
                "operator");
        assertThat(typesNamed(name)).as("refusals change nothing").isEqualTo(1);

        assertThat(operator.delete(TYPES + "/" + name + "?expunge=true").status()).isEqualTo(204);
        assertThat(typesNamed(name)).isZero();
        assertProblem(operator.get(TYPES + "/" + name), 404, "No event type");
        assertThat(names(operator.get(TYPES + "?includeArchived=true"))).doesNotContain(name);
        assertProblem(operator.delete(TYPES + "/" + name + "?expunge=true"), 404, "No event type");

        // its schema no longer checks its events; a subscription by name still gets them, one through the category
        // it no longer has does not
        String eventId = publish(Map.of("type", name, "data", Map.of("n", 1)));
        assertThat(receiver.next(WAIT).path()).isEqualTo("/by-name");
        assertThat(receiver.drain(Duration.ofMillis(1000))).isEmpty();
        assertThat(deliveriesOf(eventId)).hasSize(1);

        Api.Response again = operator.post(TYPES, Map.of("name", name, "category", "Back " + account));
        assertThat(again.status()).as(again.text()).isEqualTo(201);
        assertThat(again.json().get("schema").isNull()).isTrue();
        assertThat(again.json().get("archivedAt").isNull()).isTrue();
        assertThat(names(operator.get(TYPES))).contains(name);
    }

    @Test
    void a_patch_racing_an_archive_never_undoes_it() throws Exception {
        String name = type("race");
        assertThat(operator.post(TYPES, Map.of("name", name)).status()).isEqualTo(201);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            // each PATCH wrote back the archivedAt it had read: a DELETE between its read and its write was undone
            // (about one round in four before the row was locked)
            for (int round = 0; round < 20; round++) {
                assertThat(operator.patch(TYPES + "/" + name, Map.of("archived", false)).status()).isEqualTo(200);
                java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
                String description = "round " + round;
                var archive = pool.submit(() -> {
                    go.await();
                    return operator.delete(TYPES + "/" + name).status();
                });
                var change = pool.submit(() -> {
                    go.await();
                    return operator.patch(TYPES + "/" + name, Map.of("description", description)).status();
                });
                go.countDown();
                assertThat(archive.get()).isEqualTo(204);
                assertThat(change.get()).isEqualTo(200);
                JsonNode after = operator.get(TYPES + "/" + name).json();
                assertThat(after.get("archivedAt").isNull()).as(description + ": archived").isFalse();
                assertThat(after.get("description").asText()).isEqualTo(description);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Autowired
    io.hookpost.outbound.EventSchemas schemas;

    @Test
    void a_catalogued_webhook_test_whose_schema_refuses_the_built_in_test_data_is_said_to_be_the_reason() {
        String endpoint = "/api/v1/accounts/" + account + "/endpoints/"
                + createEndpoint(Map.of("url", receiver.url("/t"))).get("id").asText() + "/test";
        db.update("DELETE FROM event_types WHERE name = 'webhook.test'");
        try {
            assertThat(operator.post(TYPES, Map.of("name", "webhook.test", "schema",
                    Map.of("type", "object", "required", List.of("tenant"))))).extracting(Api.Response::status)
                    .isEqualTo(201);
            assertProblem(operator.post(endpoint, Map.of()), 422, "Hookpost's own test data");
            assertThat(operator.post(endpoint, Map.of("data", Map.of("tenant", "acme"))).status()).isEqualTo(202);
            assertThat(operator.patch(TYPES + "/webhook.test", Map.of("example", Map.of("tenant", "example")))
                    .status()).isEqualTo(200);
            assertThat(operator.post(endpoint, Map.of()).status()).isEqualTo(202);
        } finally {
            // the catalog is shared by the tests of this JVM: the others send webhook.test with its own data
            db.update("DELETE FROM event_types WHERE name = 'webhook.test'");
            schemas.forget("webhook.test");
        }
    }

    private static List<String> names(Api.Response listed) {
        assertThat(listed.status()).as(listed.text()).isEqualTo(200);
        return names(listed.json());
    }

    private static List<String> names(JsonNode types) {
        List<String> names = new java.util.ArrayList<>();
        types.forEach(t -> names.add(t.get("name").asText()));
        return names;
    }

    @Test
    void an_endpoint_subscribed_by_category_receives_the_types_of_that_category_and_not_others() throws Exception {
        String findings = "Findings " + account;
        assertThat(operator.post(TYPES, Map.of("name", type("finding.created"), "category", findings)).status()).isEqualTo(201);
        assertThat(operator.post(TYPES, Map.of("name", type("finding.resolved"), "category", findings)).status()).isEqualTo(201);
        assertThat(operator.post(TYPES, Map.of("name", type("scan.completed"), "category", "Scans " + account)).status())
                .isEqualTo(201);
        createEndpoint(Map.of("url", receiver.url("/findings"), "categories", List.of(findings)));

        String created = publish(Map.of("type", type("finding.created"), "data", Map.of("n", 1)));
        String scan = publish(Map.of("type", type("scan.completed"), "data", Map.of("n", 2)));
        String resolved = publish(Map.of("type", type("finding.resolved"), "data", Map.of("n", 3)));
        String uncatalogued = publish(Map.of("type", type("finding.other"), "data", Map.of("n", 4)));

        eventually(() -> count("SELECT COUNT(*) FROM events WHERE account_id = ?", account) == 4, "all four events are recorded");
        assertThat(deliveriesOf(created)).hasSize(1);
        assertThat(deliveriesOf(resolved)).hasSize(1);
        assertThat(deliveriesOf(scan)).isEmpty();
        assertThat(deliveriesOf(uncatalogued)).isEmpty();
        List<String> types = List.of(receiver.next(WAIT).header("X-Webhook-Event"), receiver.next(WAIT).header("X-Webhook-Event"));
        assertThat(types).containsExactlyInAnyOrder(type("finding.created"), type("finding.resolved"));
        assertThat(receiver.drain(Duration.ofMillis(500))).isEmpty();
    }
}

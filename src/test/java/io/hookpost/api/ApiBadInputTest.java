package io.hookpost.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.hookpost.support.Api;
import io.hookpost.support.HookpostTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 4, point 6: every operation of the OpenAPI document, driven with missing and wrong keys, malformed
 * JSON, wrong types, unknown fields, huge bodies, bad ids and bad paging: each answer is a 4xx problem
 * document with a detail, never a 5xx, and the database is exactly as before.
 */
class ApiBadInputTest extends HookpostTest {
    private List<OpenApiDocument.Op> operations;
    private String endpointId;
    private String typeName;
    private String deliveryId;
    private Api accountAdmin;

    @BeforeEach
    void readDocumentAndPrepare() throws Exception {
        operations = new OpenApiDocument(OpenApiDocumentTest.fetch(port)).operations.stream()
                .filter(op -> !op.public_()).toList();
        endpointId = createEndpoint(Map.of("url", receiver.url("/ok"))).get("id").asText();
        typeName = account + ".finding.created";
        assertThat(operator.post("/api/v1/event-types", Map.of("name", typeName, "category", "Findings")).status())
                .isEqualTo(201);
        accountAdmin = operator.withKey(operator.post("/api/v1/accounts/" + account + "/api-keys", Map.of())
                .json().get("key").asText());
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of()));
        deliveryId = receiver.next(WAIT).header("webhook-id");
        // settled before the tests' snapshots: delivered, its attempt recorded
        eventually(() -> "delivered".equals(deliveriesOf(eventId).get(0).get("status"))
                && count("SELECT COUNT(*) FROM attempts WHERE delivery_id = ?", deliveryId) == 1,
                "the delivery settled");
    }

    /** The operation's path with this test's account, endpoint, event type and delivery; unknown ids for the rest. */
    private String path(OpenApiDocument.Op op) {
        return op.path().replace("{acct}", account).replace("{endpointId}", endpointId).replace("{typeName}", typeName)
                .replace("{deliveryId}", deliveryId).replaceAll("\\{[A-Za-z]+}", "no-such-id");
    }

    /** What a rejected request must not change: this account's rows and the shared tables. */
    private Map<String, Object> snapshot() {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("accounts", count("SELECT COUNT(*) FROM accounts"));
        state.put("event_types", count("SELECT COUNT(*) FROM event_types"));
        state.put("event type", db.queryForList("SELECT * FROM event_types WHERE name = ?", typeName));
        state.put("api_keys", count("SELECT COUNT(*) FROM api_keys"));
        state.put("events", count("SELECT COUNT(*) FROM events WHERE account_id = ?", account));
        state.put("deliveries", count("SELECT COUNT(*) FROM deliveries WHERE account_id = ?", account));
        state.put("endpoints", db.queryForList("SELECT * FROM endpoints WHERE account_id = ? ORDER BY id", account));
        state.put("subscriptions", db.queryForList("SELECT t.* FROM endpoint_event_types t JOIN endpoints e"
                + " ON e.id = t.endpoint_id WHERE e.account_id = ? ORDER BY t.endpoint_id, t.pattern", account));
        return state;
    }

    private static void assertClientError(Api.Response response, String what) {
        assertThat(response.status()).as(what + " → " + response.text()).isBetween(400, 499);
        assertThat(response.contentType()).as(what).startsWith("application/problem+json");
        assertThat(response.json().get("detail").asText()).as(what).isNotBlank();
    }

    @Test
    void every_operation_refuses_a_missing_or_wrong_key_with_401() {
        Map<String, Object> before = snapshot();
        for (OpenApiDocument.Op op : operations) {
            Object body = op.hasBody() ? op.example() : "";
            assertProblem(operator.withKey(null).send(op.method(), path(op), body, Map.of()), 401, "Bearer");
            assertProblem(operator.withKey("hpk_wrong").send(op.method(), path(op), body, Map.of()), 401, "not valid");
            assertProblem(operator.withKey(ADMIN_TOKEN + "x").send(op.method(), path(op), body, Map.of()), 401, "not valid");
        }
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void every_account_operation_answers_404_for_an_unknown_or_foreign_account() {
        String other = "other-" + account;
        assertThat(operator.post("/api/v1/accounts", Map.of("name", "Other", "id", other)).status()).isEqualTo(201);
        Map<String, Object> before = snapshot();
        for (OpenApiDocument.Op op : operations) {
            if (!op.path().contains("{acct}")) {
                continue;
            }
            Object body = op.hasBody() ? op.example() : "";
            // the account's own path (/accounts/{acct}) too
            String ownAccount = "/accounts/" + java.util.regex.Pattern.quote(account) + "(?=/|$)";
            String unknown = path(op).replaceFirst(ownAccount, "/accounts/no-such-account");
            assertProblem(operator.send(op.method(), unknown, body, Map.of()), 404, "No account");
            String foreign = path(op).replaceFirst(ownAccount, "/accounts/" + other);
            assertProblem(accountAdmin.send(op.method(), foreign, body, Map.of()), 404, "No account");
        }
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void operator_only_operations_answer_403_to_an_account_key() {
        Map<String, Object> before = snapshot();
        for (OpenApiDocument.Op op : operations) {
            if (op.path().contains("{acct}") || !op.method().equals("POST")) {
                continue;
            }
            assertProblem(accountAdmin.send(op.method(), path(op), op.example(), Map.of()), 403, "operator");
        }
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void unknown_ids_in_the_path_answer_404() {
        Map<String, Object> before = snapshot();
        for (OpenApiDocument.Op op : operations) {
            String path = op.path().replace("{acct}", account).replaceAll("\\{[A-Za-z]+}", "no-such-id");
            if (!path.contains("no-such-id")) {
                continue;
            }
            Object body = op.hasBody() ? op.example() : "";
            assertProblem(operator.send(op.method(), path, body, Map.of()), 404, "no-such-id");
        }
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void malformed_json_non_objects_unknown_fields_and_huge_bodies_get_4xx() {
        Map<String, Object> before = snapshot();
        String huge = "{\"description\":\"" + "x".repeat(400_000) + "\"}";
        for (OpenApiDocument.Op op : operations) {
            if (!op.hasBody()) {
                continue;
            }
            String path = path(op);
            assertProblem(operator.send(op.method(), path, "{\"name\":", Map.of()), 400, "not valid JSON");
            Api.Response array = operator.send(op.method(), path, "[1,2]", Map.of());
            assertClientError(array, op + " with an array");
            assertThat(array.text()).as(op + " with an array").doesNotContain("io.hookpost");
            assertClientError(operator.send(op.method(), path, "\"text\"", Map.of()), op + " with a string");
            assertClientError(operator.send(op.method(), path, "null", Map.of()), op + " with null");
            assertClientError(operator.send(op.method(), path, "{} trailing", Map.of()), op + " with trailing text");
            Map<String, Object> unknownField = new LinkedHashMap<>(op.example());
            unknownField.put("surpriseField", 1);
            assertProblem(operator.send(op.method(), path, unknownField, Map.of()), 400, "surpriseField");
            assertProblem(operator.send(op.method(), path, huge, Map.of()), 413, "larger than");
            assertProblem(operator.send(op.method(), path, huge, Map.of("Transfer-Encoding", "chunked")), 413, "larger than");
        }
        assertThat(snapshot()).isEqualTo(before);
    }

    /** Each field of each request body's example in the OpenAPI document. */
    private void forEachExampleField(java.util.function.BiConsumer<OpenApiDocument.Op, Map.Entry<String, Object>> check) {
        for (OpenApiDocument.Op op : operations) {
            if (op.hasBody()) {
                op.example().entrySet().forEach(field -> check.accept(op, field));
            }
        }
    }

    @Test
    void a_field_of_the_wrong_type_gets_a_4xx_that_names_the_field() {
        Map<String, Object> before = snapshot();
        List<String> checked = new ArrayList<>();
        forEachExampleField((op, field) -> {
            Map<String, Object> body = new LinkedHashMap<>(op.example());
            body.put(field.getKey(), wrongType(field.getValue()));
            Api.Response response = operator.send(op.method(), path(op), body, Map.of());
            assertClientError(response, op + " with " + field.getKey() + "=" + body.get(field.getKey()));
            assertThat(response.json().get("detail").asText()).as(op + " " + field.getKey()).contains(field.getKey());
            checked.add(op + " " + field.getKey());
        });
        assertThat(checked).hasSizeGreaterThan(20);
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void a_fraction_where_a_whole_number_belongs_gets_a_400_that_names_the_field() {
        Map<String, Object> before = snapshot();
        List<String> checked = new ArrayList<>();
        forEachExampleField((op, field) -> {
            if (field.getValue() instanceof Integer whole) {
                Map<String, Object> body = new LinkedHashMap<>(op.example());
                body.put(field.getKey(), whole + 0.5);
                assertProblem(operator.send(op.method(), path(op), body, Map.of()), 400, field.getKey());
                checked.add(op + " " + field.getKey());
            }
        });
        assertThat(checked).as("whole-number fields in the document's examples").isNotEmpty();
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void bad_paging_parameters_get_400() {
        Map<String, Object> before = snapshot();
        int paged = 0;
        for (OpenApiDocument.Op op : operations) {
            if (!op.hasQuery("cursor")) {
                continue;
            }
            paged++;
            assertProblem(operator.get(path(op) + "?cursor=not-a-cursor"), 400, "cursor");
            assertProblem(operator.get(path(op) + "?cursor=MTIzOg"), 400, "cursor");
            assertProblem(operator.get(path(op) + "?limit=abc"), 400, "limit");
            assertProblem(operator.get(path(op) + "?limit=0"), 400, "limit");
            assertProblem(operator.get(path(op) + "?limit=1000"), 400, "limit");
        }
        assertThat(paged).isGreaterThanOrEqualTo(2);
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void a_query_parameter_given_twice_gets_400_whatever_its_case() {
        Map<String, Object> before = snapshot();
        int parameters = 0;
        for (OpenApiDocument.Op op : operations) {
            for (String name : op.queryNames()) {
                parameters++;
                String what = op + " ?" + name;
                assertProblem(operator.send(op.method(), path(op) + "?" + name + "=1&" + name + "=2", "", Map.of()),
                        400, "given more than once ('" + name + "')");
                assertProblem(operator.send(op.method(), path(op) + "?" + name + "=1&" + name.toUpperCase(Locale.ROOT)
                        + "=2", "", Map.of()), 400, "given more than once");
                assertThat(operator.send(op.method(), path(op) + "?" + name + "&" + name + "=2", "", Map.of()).status())
                        .as(what + " without a value, then with").isEqualTo(400);
            }
        }
        assertThat(parameters).isGreaterThanOrEqualTo(10);
        // the same to Camel, which compares names as String.CASE_INSENSITIVE_ORDER does: dotless ı is an i
        assertProblem(operator.get("/api/v1/accounts/" + account + "/events?limit=1&lim%C4%B1t=2"), 400,
                "given more than once");
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void a_query_parameter_the_api_does_not_take_gets_400_and_none_stands_in_for_a_header() {
        Map<String, Object> before = snapshot();
        String events = "/api/v1/accounts/" + account + "/events";
        assertProblem(operator.get(events + "?surprise=1"), 400, "takes no query parameter 'surprise'");
        assertProblem(operator.get(events + "?%22x%3C=1"), 400, "takes no query parameter of that name");
        assertThat(operator.get(events + "?%22x%3C=1").text()).doesNotContain("x<");
        // a key in the URL neither authenticates nor overrides the header
        Api.Response keyInUrl = operator.withKey(null).get("/api/v1/accounts?Authorization=Bearer%20" + ADMIN_TOKEN);
        assertProblem(keyInUrl, 400, "never in the URL");
        assertThat(keyInUrl.text()).doesNotContain(ADMIN_TOKEN);
        assertProblem(operator.get("/api/v1/accounts?authorization=x"), 400, "never in the URL");
        assertProblem(operator.post("/api/v1/accounts?Idempotency-Key=k1", Map.of("name", "Keyed")), 400,
                "takes no query parameter of that name");
        assertProblem(operator.post("/api/v1/accounts?acct=other", Map.of("name", "Other")), 400,
                "takes no query parameter 'acct'");
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void a_header_named_as_a_parameter_is_not_read_as_one_and_a_key_header_given_twice_gets_400() throws Exception {
        String keys = "/api/v1/accounts/" + account + "/api-keys";
        operator.post(keys, Map.of("description", "one"));
        operator.post(keys, Map.of("description", "two"));
        // a header limit: 1 paged as ?limit=1 did; acct: on a route without an account answered 404
        int all = operator.get(keys).json().get("data").size();
        assertThat(all).isGreaterThan(1);
        assertThat(operator.send("GET", keys, null, Map.of("limit", "1")).json().get("data")).hasSize(all);
        assertThat(operator.send("GET", "/api/v1/event-types", null, Map.of("acct", "no-such")).status())
                .isEqualTo(200);
        Api.Response both = operator.send("GET", "/api/v1/accounts/" + account + "/deliveries?status=failed", null,
                Map.of("Status", "delivered"));
        assertThat(both.status()).as("the query's status alone, not joined with the header's").isEqualTo(200);
        assertThat(operator.send("GET", "/api/v1/accounts/" + account, null, Map.of("acct", "other")).json()
                .get("id").asText()).isEqualTo(account);

        Map<String, Object> before = snapshot();
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        for (String[] twice : List.of(new String[] {"Idempotency-Key", "a", "b"},
                new String[] {"Authorization", "Bearer " + ADMIN_TOKEN, "Bearer " + ADMIN_TOKEN})) {
            java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                            "http://127.0.0.1:" + port + "/api/v1/accounts"))
                    .header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"name\":\"Twice\"}"));
            if (!twice[0].equals("Authorization")) {
                request.header("Authorization", "Bearer " + ADMIN_TOKEN);
            }
            request.header(twice[0], twice[1]).header(twice[0], twice[2]);
            java.net.http.HttpResponse<String> answer = http.send(request.build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(twice[0]).isEqualTo(400);
            assertThat(answer.body()).contains("The header '" + twice[0] + "' is given more than once")
                    .doesNotContain(ADMIN_TOKEN);
        }
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void the_api_written_another_way_gets_the_same_checks() {
        Map<String, Object> before = snapshot();
        for (String api : List.of("/%61pi", "/api;x=1", "/%61%70%69")) {
            String what = api + "/v1/accounts";
            assertProblem(operator.get(api + "/v1/accounts?limit=1&limit=2"), 400, "given more than once");
            assertProblem(operator.send("POST", api + "/v1/accounts", "name=F&id=form1",
                    Map.of("Content-Type", "application/x-www-form-urlencoded")), 415, "JSON only");
            assertProblem(operator.send("POST", api + "/v1/accounts", "{\"name\":\"caf\u00e9\"}",
                    Map.of("Content-Type", "application/json; charset=ISO-8859-1")), 415, "UTF-8");
            assertThat(operator.get(api + "/v1/accounts/" + account).status()).as(what).isEqualTo(200);
        }
        assertThat(snapshot()).isEqualTo(before);
    }

    /** A JSON value of another type than the example's. */
    private static Object wrongType(Object value) {
        if (value instanceof String) {
            return 12345;
        }
        if (value instanceof Number) {
            return "not-a-number";
        }
        if (value instanceof Boolean) {
            return "not-a-boolean";
        }
        if (value instanceof List) {
            return Map.of("not", "a list");
        }
        return List.of("not", "an object");
    }
}

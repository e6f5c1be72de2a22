package io.hookpost.api;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookpost.support.Api;
import io.hookpost.support.HookpostTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An API POST sent again with its Idempotency-Key (a client that lost the answer) gets the first answer again and
 * changes nothing more; the same key with another request is 422, and while the first is under way 409.
 */
class IdempotentRequestsTest extends HookpostTest {
    @Autowired
    DataSource dataSource;
    @Autowired
    IdempotentRequests requests;

    private String endpoints() {
        return "/api/v1/accounts/" + account + "/endpoints";
    }

    private int endpointCount() {
        return count("SELECT COUNT(*) FROM endpoints WHERE account_id = ? AND deleted_at IS NULL", account);
    }

    private static Map<String, String> key(String value) {
        return Map.of("Idempotency-Key", value);
    }

    private String rowOf(String apiKey, String idempotencyKey) {
        return IdempotentRequests.rowId(IdempotentRequests.callerSecret(apiKey), idempotencyKey);
    }

    @Test
    void an_endpoint_created_again_with_its_key_is_the_first_one_answered_again_and_no_second_is_made() {
        Map<String, Object> request = Map.of("url", receiver.url("/once"), "description", "CI");
        Api.Response first = operator.post(endpoints(), request, key("create-ep-1"));
        assertThat(first.status()).as(first.text()).isEqualTo(201);
        assertThat(first.headers().firstValue("Idempotent-Replayed").orElse(null)).isNull();

        Api.Response again = operator.post(endpoints(), request, key("create-ep-1"));
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.contentType()).startsWith("application/json");
        assertThat(again.text()).isEqualTo(first.text()); // its id and its secret, as first shown
        assertThat(again.headers().firstValue("Idempotent-Replayed").orElse(null)).isEqualTo("true");
        assertThat(endpointCount()).isEqualTo(1);

        // the same key for another request: refused, nothing made
        assertProblem(operator.post(endpoints(), Map.of("url", receiver.url("/twice")), key("create-ep-1")), 422,
                "The Idempotency-Key 'create-ep-1' was used for another request");
        String id = first.json().get("id").asText();
        assertProblem(operator.post(endpoints() + "/" + id + "/test", request, key("create-ep-1")), 422,
                "another request"); // the same body to another path
        assertThat(endpointCount()).isEqualTo(1);
        assertThat(receiver.takeAll()).as("no test event sent").isEmpty();

        // another key, or none, is another request
        assertThat(operator.post(endpoints(), request, key("create-ep-2")).status()).isEqualTo(201);
        assertThat(operator.post(endpoints(), request).status()).isEqualTo(201);
        assertThat(operator.post(endpoints(), request).status()).isEqualTo(201);
        assertThat(endpointCount()).isEqualTo(4);

        // what the database keeps of the answer shows neither the secret nor the endpoint, nor the API key
        Map<String, Object> kept = db.queryForMap("SELECT * FROM idempotent_requests WHERE id = ?",
                rowOf(ADMIN_TOKEN, "create-ep-1"));
        assertThat(kept.get("response_status")).isEqualTo(201);
        assertThat(kept.values()).extracting(String::valueOf).noneMatch(value -> value.contains(id)
                || value.contains(first.json().get("secret").asText()) || value.contains(ADMIN_TOKEN)
                || value.contains("create-ep-1"));
    }

    @Test
    void a_rotation_sent_twice_with_its_key_rotates_once_and_another_api_key_has_its_own_keys() {
        String id = createEndpoint(Map.of("url", receiver.url("/rotated"))).get("id").asText();
        String rotate = endpoints() + "/" + id + "/rotate-secret";
        JsonNode first = operator.post(rotate, Map.of(), key("rotate-1")).json();
        JsonNode again = operator.post(rotate, Map.of(), key("rotate-1")).json();
        assertThat(again.get("secret").asText()).isEqualTo(first.get("secret").asText());
        assertThat(operator.get(endpoints() + "/" + id + "/secret").json().get("secret").asText())
                .isEqualTo(first.get("secret").asText());

        // the account's own key sending the same Idempotency-Key makes its own request
        Api admin = operator.withKey(operator.post("/api/v1/accounts/" + account + "/api-keys", Map.of())
                .json().get("key").asText());
        JsonNode theirs = admin.post(rotate, Map.of(), key("rotate-1")).json();
        assertThat(theirs.get("secret").asText()).isNotEqualTo(first.get("secret").asText());
        assertThat(operator.get(endpoints() + "/" + id + "/secret").json().get("secret").asText())
                .isEqualTo(theirs.get("secret").asText());
    }

    @Test
    void a_refused_request_keeps_nothing_and_its_key_may_be_used_again() {
        assertProblem(operator.post(endpoints(), Map.of("url", "not a url"), key("fix-and-resend")), 422, "'url'");
        Api.Response fixed = operator.post(endpoints(), Map.of("url", receiver.url("/fixed")), key("fix-and-resend"));
        assertThat(fixed.status()).as(fixed.text()).isEqualTo(201);
        assertThat(fixed.headers().firstValue("Idempotent-Replayed").orElse(null)).isNull();
        assertThat(endpointCount()).isEqualTo(1);

        assertProblem(operator.post(endpoints(), Map.of("url", receiver.url("/x")), key("")), 400, "Idempotency-Key");
        assertProblem(operator.post(endpoints(), Map.of("url", receiver.url("/x")), key("k".repeat(201))), 400,
                "Idempotency-Key");
        assertThat(endpointCount()).isEqualTo(1);
    }

    @Test
    void a_repeat_while_the_first_is_under_way_gets_409_and_then_the_first_answer() throws Exception {
        Map<String, Object> request = Map.of("url", receiver.url("/slow"));
        CompletableFuture<Api.Response> first;
        // the account's row held locked: creating an endpoint waits for it (it counts the account's endpoints)
        try (Connection lock = dataSource.getConnection()) {
            lock.setAutoCommit(false);
            try (PreparedStatement select = lock.prepareStatement("SELECT id FROM accounts WHERE id = ? FOR UPDATE")) {
                select.setString(1, account);
                select.executeQuery().close();
            }
            first = CompletableFuture.supplyAsync(() -> operator.post(endpoints(), request, key("slow-1")));
            String row = rowOf(ADMIN_TOKEN, "slow-1");
            eventually(() -> count("SELECT COUNT(*) FROM idempotent_requests WHERE id = ?", row) == 1,
                    "the first request under way");
            assertProblem(operator.post(endpoints(), request, key("slow-1")), 409, "is still being answered");
            lock.rollback();
        }
        Api.Response answered = first.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(answered.status()).as(answered.text()).isEqualTo(201);
        Api.Response repeat = operator.post(endpoints(), request, key("slow-1"));
        assertThat(repeat.text()).isEqualTo(answered.text());
        assertThat(endpointCount()).isEqualTo(1);
    }

    @Test
    void a_key_is_forgotten_after_the_window_and_the_request_is_then_a_new_one() {
        Map<String, Object> request = Map.of("url", receiver.url("/window"));
        String first = operator.post(endpoints(), request, key("window-1")).json().get("id").asText();
        String row = rowOf(ADMIN_TOKEN, "window-1");
        db.update("UPDATE idempotent_requests SET created_at = ? WHERE id = ?",
                OffsetDateTime.now().minusHours(25), row);

        Api.Response later = operator.post(endpoints(), request, key("window-1"));
        assertThat(later.status()).isEqualTo(201);
        assertThat(later.json().get("id").asText()).isNotEqualTo(first);
        assertThat(endpointCount()).isEqualTo(2);

        db.update("UPDATE idempotent_requests SET created_at = ? WHERE id = ?",
                OffsetDateTime.now().minusHours(25), row);
        assertThat(requests.forgetExpired()).isGreaterThanOrEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM idempotent_requests WHERE id = ?", row)).isZero();
    }

    @Test
    void publishing_keeps_its_own_meaning_of_the_key_and_other_methods_ignore_it() {
        createEndpoint(Map.of("url", receiver.url("/events")));
        String events = "/api/v1/accounts/" + account + "/events";
        Api.Response published = operator.post(events, Map.of("type", "a.b", "data", Map.of()), key("evt-key"));
        assertThat(published.status()).isEqualTo(202);
        assertThat(count("SELECT COUNT(*) FROM idempotent_requests WHERE id = ?", rowOf(ADMIN_TOKEN, "evt-key")))
                .isZero();
        String id = db.queryForObject("SELECT id FROM endpoints WHERE account_id = ?", String.class, account);
        for (String description : List.of("one", "two")) {
            Api.Response patched = operator.send("PATCH", endpoints() + "/" + id, Map.of("description", description),
                    key("patch-key"));
            assertThat(patched.json().get("description").asText()).isEqualTo(description);
        }
    }
}

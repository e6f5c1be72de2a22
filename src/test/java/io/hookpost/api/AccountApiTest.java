package io.hookpost.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookpost.support.Api;
import io.hookpost.support.HookpostTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Operators list accounts, rename them and keep their metadata; an account's own keys read their account and nothing
 * more.
 */
class AccountApiTest extends HookpostTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.get("data").forEach(account -> ids.add(account.get("id").asText()));
        return ids;
    }

    @Test
    void operators_list_accounts_newest_first_a_page_at_a_time() {
        String second = "second-" + account;
        String third = "third-" + account;
        assertThat(operator.post("/api/v1/accounts", Map.of("name", "Second", "id", second)).status()).isEqualTo(201);
        assertThat(operator.post("/api/v1/accounts", Map.of("name", "Third", "id", third)).status()).isEqualTo(201);

        Api.Response page = operator.get("/api/v1/accounts?limit=2");
        assertThat(page.status()).as(page.text()).isEqualTo(200);
        assertThat(ids(page.json())).containsExactly(third, second);
        JsonNode newest = page.json().get("data").get(0);
        assertThat(newest.get("name").asText()).isEqualTo("Third");
        assertThat(newest.get("createdAt").asText()).isEqualTo(
                operator.get("/api/v1/accounts/" + third).json().get("createdAt").asText());
        JsonNode next = operator.get("/api/v1/accounts?limit=1&cursor=" + page.json().get("nextCursor").asText())
                .json();
        assertThat(ids(next)).containsExactly(account);
        assertThat(count("SELECT COUNT(*) FROM accounts")).isGreaterThan(3);
    }

    @Test
    void an_operator_renames_an_account_and_its_own_key_reads_it_but_may_not_rename_or_list() {
        Api admin = operator.withKey(operator.post("/api/v1/accounts/" + account + "/api-keys", Map.of())
                .json().get("key").asText());
        Api.Response own = admin.get("/api/v1/accounts/" + account);
        assertThat(own.status()).as(own.text()).isEqualTo(200);
        assertThat(own.json().get("id").asText()).isEqualTo(account);
        assertThat(own.json().get("name").asText()).isEqualTo("Test " + account);

        Api.Response renamed = operator.patch("/api/v1/accounts/" + account, Map.of("name", "Acme Corporation"));
        assertThat(renamed.status()).as(renamed.text()).isEqualTo(200);
        assertThat(renamed.json().get("name").asText()).isEqualTo("Acme Corporation");
        assertThat(renamed.json().get("id").asText()).isEqualTo(account);
        assertThat(db.queryForObject("SELECT name FROM accounts WHERE id = ?", String.class, account))
                .isEqualTo("Acme Corporation");
        assertThat(admin.get("/api/v1/accounts/" + account).json().get("name").asText()).isEqualTo("Acme Corporation");

        assertProblem(admin.patch("/api/v1/accounts/" + account, Map.of("name", "Mine now")), 403, "operator");
        assertProblem(admin.get("/api/v1/accounts"), 403, "operator");
        assertProblem(operator.patch("/api/v1/accounts/" + account, Map.of()), 400, "'name'");
        assertProblem(operator.patch("/api/v1/accounts/" + account, Map.of("name", " ")), 400,
                "'name' is required");
        assertProblem(operator.patch("/api/v1/accounts/" + account, Map.of("name", "x".repeat(201))), 400,
                "'name' may be at most 200 characters; this one has 201.");
        for (String forged : List.of("line1\nline2", "red \u001b[31m", "tab\there")) {
            assertProblem(operator.patch("/api/v1/accounts/" + account, Map.of("name", forged)), 400,
                    "control characters");
            assertProblem(operator.post("/api/v1/accounts", Map.of("name", forged)), 400, "control characters");
        }
        assertProblem(operator.patch("/api/v1/accounts/" + account, Map.of("id", "other")), 400, "id");
        assertThat(db.queryForObject("SELECT name FROM accounts WHERE id = ?", String.class, account))
                .isEqualTo("Acme Corporation");

        String session = operator.post("/api/v1/accounts/" + account + "/portal-access", Map.of()).json()
                .get("token").asText();
        assertProblem(operator.withKey(session).get("/api/v1/accounts/" + account), 403, "portal session");
    }

    @Test
    void an_account_keeps_the_operators_metadata_which_a_patch_replaces_or_removes_and_bad_pairs_change_nothing() {
        String id = "meta-" + account;
        Api.Response created = operator.post("/api/v1/accounts", Map.of("id", id, "name", "Meta",
                "metadata", Map.of("tenantId", "t-42", "plan", "enterprise")));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        assertThat(created.json().get("metadata")).isEqualTo(JSON.valueToTree(Map.of("tenantId", "t-42",
                "plan", "enterprise")));
        String path = "/api/v1/accounts/" + id;
        assertThat(operator.get(path).json().get("metadata").get("tenantId").asText()).isEqualTo("t-42");
        JsonNode listed = operator.get("/api/v1/accounts?limit=1").json().get("data").get(0);
        assertThat(listed.get("id").asText()).isEqualTo(id);
        assertThat(listed.get("metadata").get("plan").asText()).isEqualTo("enterprise");
        Api admin = operator.withKey(operator.post(path + "/api-keys", Map.of()).json().get("key").asText());
        assertThat(admin.get(path).json().get("metadata").get("tenantId").asText()).as("its own key reads them")
                .isEqualTo("t-42");
        assertProblem(admin.patch(path, Map.of("metadata", Map.of("plan", "free"))), 403, "operator");

        // only what is sent changes: the name stays, the pairs are replaced as a whole
        Api.Response patched = operator.patch(path, Map.of("metadata", Map.of("tenantId", "t-43")));
        assertThat(patched.status()).as(patched.text()).isEqualTo(200);
        assertThat(patched.json().get("name").asText()).isEqualTo("Meta");
        assertThat(patched.json().get("metadata")).isEqualTo(JSON.valueToTree(Map.of("tenantId", "t-43")));
        assertThat(operator.patch(path, Map.of("name", "Meta 2")).json().get("metadata").get("tenantId").asText())
                .isEqualTo("t-43");

        // a bad pair, or a bad name beside good pairs: 400 and nothing changed
        assertProblem(operator.patch(path, Map.of("name", "Meta 3", "metadata", Map.of("", "x"))), 400,
                "'metadata' keys are 1 to 100 characters");
        assertProblem(operator.patch(path, Map.of("name", " ", "metadata", Map.of("tenantId", "t-44"))), 400,
                "'name' is required");
        Map<String, Object> tooMany = new java.util.HashMap<>();
        for (int i = 0; i < 51; i++) {
            tooMany.put("k" + i, "v");
        }
        assertProblem(operator.patch(path, Map.of("metadata", tooMany)), 400, "at most 50 keys");
        assertProblem(operator.post("/api/v1/accounts", Map.of("id", id + "-x", "name", "X",
                "metadata", Map.of("tenantId", 42))), 400, "metadata");
        assertThat(db.queryForMap("SELECT name, metadata FROM accounts WHERE id = ?", id))
                .containsEntry("name", "Meta 2").containsEntry("metadata", "{\"tenantId\":\"t-43\"}");
        assertThat(count("SELECT COUNT(*) FROM accounts WHERE id = ?", id + "-x")).isZero();

        java.util.HashMap<String, Object> removal = new java.util.HashMap<>();
        removal.put("metadata", null);
        Api.Response removed = operator.patch(path, removal);
        assertThat(removed.status()).as(removed.text()).isEqualTo(200);
        assertThat(removed.json().get("metadata").isEmpty()).as("{} when none").isTrue();
        assertThat(db.queryForObject("SELECT metadata FROM accounts WHERE id = ?", String.class, id)).isNull();
    }
}

package io.hookpost.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookpost.support.Api;
import io.hookpost.support.HookpostTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Keys are listed by their first characters and revoked: a revoked key is refused from its next request on. */
class ApiKeyManagementTest extends HookpostTest {
    @Autowired
    private ApiKeys apiKeys;

    private String keysPath() {
        return "/api/v1/accounts/" + account + "/api-keys";
    }

    private JsonNode issue(Api caller, String path, String description) {
        Api.Response issued = caller.post(path, Map.of("description", description));
        assertThat(issued.status()).as(issued.text()).isEqualTo(201);
        return issued.json();
    }

    private static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.get("data").forEach(key -> ids.add(key.get("id").asText()));
        return ids;
    }

    @Test
    void an_account_lists_its_live_keys_and_a_revoked_key_is_refused_from_its_next_request() throws Exception {
        JsonNode ci = issue(operator, keysPath(), "CI pipeline");
        JsonNode ops = issue(operator, keysPath(), "ops");
        Api.Response link = operator.post("/api/v1/accounts/" + account + "/portal-access", Map.of("expiry", 600));
        assertThat(link.status()).as(link.text()).isEqualTo(201);
        String sessionId = link.json().get("id").asText();
        Api ciKey = operator.withKey(ci.get("key").asText());
        Api opsKey = operator.withKey(ops.get("key").asText());
        Api session = operator.withKey(link.json().get("token").asText());
        String other = "other-" + account;
        assertThat(operator.post("/api/v1/accounts", Map.of("name", "Other", "id", other)).status()).isEqualTo(201);
        JsonNode foreign = issue(operator, "/api/v1/accounts/" + other + "/api-keys", "theirs");

        operator.get(keysPath()).json().get("data").forEach(key ->
                assertThat(key.get("lastUsedAt").isNull()).as("not used yet: " + key).isTrue());
        java.time.Instant beforeUse = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
        Api.Response listed = ciKey.get(keysPath());
        assertThat(listed.status()).as(listed.text()).isEqualTo(200);
        assertThat(ids(listed.json())).containsExactly(sessionId, ops.get("id").asText(), ci.get("id").asText());
        JsonNode first = listed.json().get("data").get(2);
        assertThat(first.get("prefix").asText()).isEqualTo(ci.get("key").asText().substring(0, 8));
        assertThat(first.get("description").asText()).isEqualTo("CI pipeline");
        assertThat(first.get("scope").asText()).isEqualTo("full");
        assertThat(first.get("accountId").asText()).isEqualTo(account);
        assertThat(first.get("createdAt").asText()).isEqualTo(ci.get("createdAt").asText());
        assertThat(first.get("expiresAt").isNull()).isTrue();
        assertThat(first.has("key")).isFalse();
        // the use that asked is recorded, to the minute (the minute it began): the next one within it writes nothing
        String lastUsed = first.get("lastUsedAt").asText();
        assertThat(java.time.Instant.parse(lastUsed)).isBetween(beforeUse, java.time.Instant.now())
                .isEqualTo(java.time.Instant.parse(lastUsed).truncatedTo(java.time.temporal.ChronoUnit.MINUTES));
        assertThat(listed.json().get("data").get(1).get("lastUsedAt").isNull()).as("ops not used yet").isTrue();
        assertThat(ciKey.get(keysPath()).json().get("data").get(2).get("lastUsedAt").asText()).isEqualTo(lastUsed);
        JsonNode sessionKey = listed.json().get("data").get(0);
        assertThat(sessionKey.get("scope").asText()).isEqualTo("portal");
        assertThat(sessionKey.get("expiresAt").asText()).isEqualTo(link.json().get("expiresAt").asText());
        assertThat(listed.text()).doesNotContain(ci.get("key").asText()).doesNotContain(foreign.get("id").asText());

        // paging, as every list
        JsonNode page = operator.get(keysPath() + "?limit=2").json();
        assertThat(ids(page)).containsExactly(sessionId, ops.get("id").asText());
        JsonNode rest = operator.get(keysPath() + "?limit=2&cursor=" + page.get("nextCursor").asText()).json();
        assertThat(ids(rest)).containsExactly(ci.get("id").asText());
        assertThat(rest.get("nextCursor").isNull()).isTrue();

        // one admin revokes the leaked CI key: refused at once, gone from the list, the others unaffected
        Api.Response revoked = opsKey.delete(keysPath() + "/" + ci.get("id").asText());
        assertThat(revoked.status()).as(revoked.text()).isEqualTo(204);
        assertThat(revoked.text()).isEmpty();
        assertProblem(ciKey.get("/api/v1/accounts/" + account + "/endpoints"), 401, "not valid");
        assertProblem(ciKey.post("/api/v1/accounts/" + account + "/events",
                Map.of("type", "host.offline", "data", Map.of())), 401, "not valid");
        assertThat(count("SELECT COUNT(*) FROM events WHERE account_id = ?", account)).isZero();
        Object revokedAt = db.queryForObject("SELECT revoked_at FROM api_keys WHERE id = ?", Object.class,
                ci.get("id").asText());
        assertThat(revokedAt).isNotNull();
        assertThat(ids(opsKey.get(keysPath()).json())).containsExactly(sessionId, ops.get("id").asText());
        // again: nothing changes
        assertThat(opsKey.delete(keysPath() + "/" + ci.get("id").asText()).status()).isEqualTo(204);
        assertThat(db.queryForObject("SELECT revoked_at FROM api_keys WHERE id = ?", Object.class,
                ci.get("id").asText())).isEqualTo(revokedAt);

        // another account's key is not this account's to revoke, and its own account's path is not this key's
        assertProblem(opsKey.delete(keysPath() + "/" + foreign.get("id").asText()), 404, foreign.get("id").asText());
        assertProblem(opsKey.delete("/api/v1/accounts/" + other + "/api-keys/" + foreign.get("id").asText()),
                404, "No account");
        assertThat(operator.withKey(foreign.get("key").asText()).get("/api/v1/accounts/" + other + "/endpoints")
                .status()).isEqualTo(200);

        // a portal session neither lists nor revokes keys; its link can be ended early
        int keys = count("SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NULL");
        assertProblem(session.get(keysPath()), 403, "portal session");
        assertProblem(session.delete(keysPath() + "/" + ops.get("id").asText()), 403, "portal session");
        assertThat(count("SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NULL")).isEqualTo(keys);
        assertThat(session.get("/api/v1/accounts/" + account + "/endpoints").status()).isEqualTo(200);
        assertThat(opsKey.delete(keysPath() + "/" + sessionId).status()).isEqualTo(204);
        assertProblem(session.get("/api/v1/accounts/" + account + "/endpoints"), 401, "not valid");

        // a key may revoke itself
        assertThat(opsKey.delete(keysPath() + "/" + ops.get("id").asText()).status()).isEqualTo(204);
        assertProblem(opsKey.get(keysPath()), 401, "not valid");
        assertThat(ids(operator.get(keysPath()).json())).isEmpty();
    }

    @Test
    void a_key_issued_with_an_expiry_works_until_then_and_is_listed_no_more_after() {
        String expiresAt = java.time.Instant.now().plus(java.time.Duration.ofDays(30))
                .truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        Api.Response issued = operator.post(keysPath(), Map.of("description", "contractor", "expiresAt", expiresAt));
        assertThat(issued.status()).as(issued.text()).isEqualTo(201);
        assertThat(issued.json().get("expiresAt").asText()).isEqualTo(expiresAt);
        Api contractor = operator.withKey(issued.json().get("key").asText());
        assertThat(contractor.get("/api/v1/accounts/" + account + "/endpoints").status()).isEqualTo(200);
        JsonNode listed = operator.get(keysPath()).json().get("data").get(0);
        assertThat(listed.get("expiresAt").asText()).isEqualTo(expiresAt);
        assertThat(listed.get("scope").asText()).isEqualTo("full");

        // its time comes
        db.update("UPDATE api_keys SET expires_at = ? WHERE id = ?",
                java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).minusSeconds(1),
                issued.json().get("id").asText());
        assertProblem(contractor.get("/api/v1/accounts/" + account + "/endpoints"), 401, "not valid");
        assertThat(ids(operator.get(keysPath()).json())).isEmpty();

        int keys = count("SELECT COUNT(*) FROM api_keys");
        assertProblem(operator.post(keysPath(), Map.of("expiresAt", "2020-01-01T00:00:00Z")), 400, "future");
        assertProblem(operator.post(keysPath(), Map.of("expiresAt", "next week")), 400, "expiresAt");
        assertProblem(operator.post(keysPath(), Map.of("description", "ci\r\nkey \u0007")), 400, "control characters");
        assertProblem(operator.post("/api/v1/api-keys", Map.of("expiresAt", "2020-01-01T00:00:00Z")), 400, "future");
        // years Java reads but no RFC 3339 date-time has (one past what an instant holds answered 500)
        for (String far : List.of("+999999999-12-31T23:59:59-18:00", "+999999999-12-31T23:59:59Z",
                "+10000-01-01T00:00:00Z")) {
            assertProblem(operator.post(keysPath(), Map.of("expiresAt", far)), 400, "years 1 to 9999");
            assertProblem(operator.post("/api/v1/api-keys", Map.of("expiresAt", far)), 400, "years 1 to 9999");
        }
        assertThat(count("SELECT COUNT(*) FROM api_keys")).isEqualTo(keys);
        Api.Response last = operator.post(keysPath(), Map.of("expiresAt", "9999-12-31T23:59:59Z"));
        assertThat(last.status()).as(last.text()).isEqualTo(201);
        assertThat(last.json().get("expiresAt").asText()).isEqualTo("9999-12-31T23:59:59Z");
    }

    @Test
    void a_key_that_expires_issues_keys_and_portal_links_that_expire_no_later_than_it_does() {
        String ends = java.time.Instant.now().plus(java.time.Duration.ofHours(1))
                .truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        Api expiring = operator.withKey(operator.post(keysPath(), Map.of("description", "for an hour",
                "expiresAt", ends)).json().get("key").asText());
        Api.Response forever = expiring.post(keysPath(), Map.of("description", "asked for no expiry"));
        assertThat(forever.status()).as(forever.text()).isEqualTo(201);
        assertThat(forever.json().get("expiresAt").asText()).isEqualTo(ends);
        String later = java.time.Instant.parse(ends).plus(java.time.Duration.ofDays(1)).toString();
        assertThat(expiring.post(keysPath(), Map.of("expiresAt", later)).json().get("expiresAt").asText())
                .isEqualTo(ends);
        String sooner = java.time.Instant.parse(ends).minus(java.time.Duration.ofMinutes(30)).toString();
        assertThat(expiring.post(keysPath(), Map.of("expiresAt", sooner)).json().get("expiresAt").asText())
                .as("sooner, as asked").isEqualTo(sooner);
        Api.Response portal = expiring.post("/api/v1/accounts/" + account + "/portal-access", Map.of("expiry", 7 * 24 * 3600));
        assertThat(portal.status()).as(portal.text()).isEqualTo(201);
        assertThat(portal.json().get("expiresAt").asText()).isEqualTo(ends);
        assertThat(count("SELECT COUNT(*) FROM api_keys WHERE account_id = ? AND expires_at > ?", account,
                java.time.OffsetDateTime.parse(ends))).as("none stored to outlive it").isZero();
        assertThat(operator.post(keysPath(), Map.of()).json().get("expiresAt").isNull())
                .as("a key that does not expire issues ones that need not").isTrue();
    }

    @Test
    void operators_issue_list_and_revoke_operator_keys_and_accounts_may_not() {
        Api accountAdmin = operator.withKey(issue(operator, keysPath(), "admin").get("key").asText());
        JsonNode deploy = issue(operator, "/api/v1/api-keys", "deploy pipeline");
        assertThat(deploy.get("key").asText()).startsWith("hpo_");
        assertThat(deploy.get("accountId").isNull()).isTrue();
        Api deployKey = operator.withKey(deploy.get("key").asText());
        // an operator's key: it may create accounts
        assertThat(deployKey.post("/api/v1/accounts", Map.of("name", "By deploy", "id", "deploy-" + account)).status())
                .isEqualTo(201);

        JsonNode listed = deployKey.get("/api/v1/api-keys?limit=100").json();
        assertThat(ids(listed)).contains(deploy.get("id").asText());
        listed.get("data").forEach(key -> assertThat(key.get("accountId").isNull()).isTrue());

        int live = count("SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NULL");
        assertProblem(accountAdmin.get("/api/v1/api-keys"), 403, "operator");
        assertProblem(accountAdmin.post("/api/v1/api-keys", Map.of()), 403, "operator");
        assertProblem(accountAdmin.delete("/api/v1/api-keys/" + deploy.get("id").asText()), 403, "operator");
        // an account key's id is not an operator key's
        String adminId = operator.get(keysPath()).json().get("data").get(0).get("id").asText();
        assertProblem(operator.delete("/api/v1/api-keys/" + adminId), 404, adminId);
        assertThat(count("SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NULL")).isEqualTo(live);

        Api.Response revoked = operator.delete("/api/v1/api-keys/" + deploy.get("id").asText());
        assertThat(revoked.status()).as(revoked.text()).isEqualTo(204);
        assertProblem(deployKey.post("/api/v1/accounts", Map.of("name", "x")), 401, "not valid");
        assertThat(ids(operator.get("/api/v1/api-keys?limit=100").json())).doesNotContain(deploy.get("id").asText());
    }

    @Test
    void the_last_operator_key_is_not_revoked_while_no_admin_token_is_set_even_by_two_revocations_at_once()
            throws Exception {
        // this test application has hookpost.security.admin-token set, so over HTTP any key may go; the rule for an
        // installation without one is asked of the bean, on the same database
        for (JsonNode key : operator.get("/api/v1/api-keys?limit=100").json().get("data")) {
            assertThat(operator.delete("/api/v1/api-keys/" + key.get("id").asText()).status()).isEqualTo(204);
        }
        String alone = issue(operator, "/api/v1/api-keys", "only").get("id").asText();
        // another that expires is no stand-in: once it expired nobody could use the API (audit)
        Api.Response expiring = operator.post("/api/v1/api-keys", Map.of("description", "for a day",
                "expiresAt", java.time.Instant.now().plus(java.time.Duration.ofDays(1)).toString()));
        assertThat(expiring.status()).as(expiring.text()).isEqualTo(201);
        assertThatThrownBy(() -> apiKeys.revokeOperatorKey(alone, false))
                .isInstanceOfSatisfying(ProblemException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.getMessage()).contains("last operator key");
                });
        assertThat(count("SELECT COUNT(*) FROM api_keys WHERE id = ? AND revoked_at IS NULL", alone)).isEqualTo(1);
        // and a start after the last one expired generates one (AdminTokenBootstrap asks anyOperatorKey)
        assertThat(apiKeys.anyOperatorKey()).isTrue();
        db.update("UPDATE api_keys SET expires_at = ? WHERE account_id IS NULL AND revoked_at IS NULL",
                java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).minusSeconds(1));
        assertThat(apiKeys.anyOperatorKey()).isFalse();
        db.update("UPDATE api_keys SET expires_at = NULL WHERE id = ?", alone);
        assertThat(operator.delete("/api/v1/api-keys/" + expiring.json().get("id").asText()).status())
                .isEqualTo(204);
        String only = alone;

        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 10; round++) {
                String second = issue(operator, "/api/v1/api-keys", "second " + round).get("id").asText();
                String first = only;
                CyclicBarrier together = new CyclicBarrier(2);
                List<Future<Integer>> outcomes = new ArrayList<>();
                for (String id : List.of(first, second)) {
                    outcomes.add(threads.submit(() -> {
                        together.await();
                        try {
                            apiKeys.revokeOperatorKey(id, false);
                            return 204;
                        } catch (ProblemException e) {
                            return e.status();
                        }
                    }));
                }
                List<Integer> statuses = new ArrayList<>();
                for (Future<Integer> outcome : outcomes) {
                    statuses.add(outcome.get());
                }
                assertThat(statuses).as("round " + round).containsExactlyInAnyOrder(204, 409);
                List<String> left = db.queryForList(
                        "SELECT id FROM api_keys WHERE account_id IS NULL AND revoked_at IS NULL", String.class);
                assertThat(left).as("round " + round).hasSize(1);
                only = left.get(0);
            }
        } finally {
            threads.shutdownNow();
        }
        // with an admin token set, the last one may go
        assertThat(operator.delete("/api/v1/api-keys/" + only).status()).isEqualTo(204);
    }
}

package io.hookpost.api;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookpost.support.Api;
import io.hookpost.support.HookpostTest;
import io.hookpost.support.TestReceiver.Reply;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Links to the account portal: a key of their own that expires and reaches only what the portal page does. */
class PortalAccessTest extends HookpostTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private String accountPath(String suffix) {
        return "/api/v1/accounts/" + account + suffix;
    }

    private JsonNode link(Api caller, Map<String, Object> request) {
        Api.Response response = caller.post(accountPath("/portal-access"), request);
        assertThat(response.status()).as(response.text()).isEqualTo(201);
        return response.json();
    }

    private static String keyOf(JsonNode link) {
        return link.get("token").asText();
    }

    @Test
    void a_link_opens_the_portal_page_with_a_key_that_manages_endpoints_and_nothing_else() {
        String endpoint = createEndpoint(Map.of("url", receiver.url("/a"))).get("id").asText();
        JsonNode link = link(operator, Map.of());
        String key = keyOf(link);
        assertThat(key).startsWith("hpp_");
        assertThat(link.get("url").asText())
                .isEqualTo("http://127.0.0.1:" + port + "/portal/#account=" + account + "&key=" + key);
        assertThat(link.get("readOnly").asBoolean()).isFalse();
        // the default lifetime, hookpost.portal.session-ttl: an hour
        java.time.Instant expires = java.time.Instant.parse(link.get("expiresAt").asText());
        assertThat(expires).isCloseTo(java.time.Instant.now().plusSeconds(3600),
                within(60, java.time.temporal.ChronoUnit.SECONDS));
        assertThat(count("SELECT COUNT(*) FROM api_keys WHERE key_hash = ? AND account_id = ? AND scope = 'portal'"
                + " AND expires_at IS NOT NULL", ApiKeysAccess.hash(key), account)).isEqualTo(1);

        Api session = operator.withKey(key);
        JsonNode about = session.get("/api/v1/session").json();
        assertThat(about.get("accountId").asText()).isEqualTo(account);
        assertThat(about.get("portal").asBoolean()).isTrue();
        assertThat(about.get("readOnly").asBoolean()).isFalse();
        assertThat(java.time.Instant.parse(about.get("expiresAt").asText())).isEqualTo(expires);

        // what the page does
        assertThat(session.get(accountPath("/endpoints")).status()).isEqualTo(200);
        assertThat(session.get(accountPath("/endpoints/" + endpoint + "/secret")).status()).isEqualTo(200);
        Api.Response changed = session.patch(accountPath("/endpoints/" + endpoint),
                Map.of("description", "from the portal"));
        assertThat(changed.status()).as(changed.text()).isEqualTo(200);
        assertThat(session.get("/api/v1/event-types").status()).isEqualTo(200);
        Api.Response replayed = session.post(accountPath("/endpoints/" + endpoint + "/replay-missing"),
                Map.of("since", "2026-01-01T00:00:00Z"));
        assertThat(replayed.status()).as(replayed.text()).isEqualTo(202);

        // and nothing else: no keys, no events, no provider credentials, no further links
        int keys = count("SELECT COUNT(*) FROM api_keys");
        assertProblem(session.post(accountPath("/api-keys"), Map.of()), 403, "portal session");
        assertProblem(session.post(accountPath("/portal-access"), Map.of()), 403, "portal session");
        assertThat(count("SELECT COUNT(*) FROM api_keys")).isEqualTo(keys);
        assertProblem(session.post(accountPath("/events"), Map.of("type", "host.offline", "data", Map.of())),
                403, "portal session");
        assertThat(count("SELECT COUNT(*) FROM events WHERE account_id = ?", account)).isZero();
        assertProblem(session.get(accountPath("/providers")), 403, "portal session");
        assertProblem(session.post("/api/v1/accounts", Map.of("name", "x")), 403, "portal session");

        // another account is not there for it
        String other = "other-" + account;
        operator.post("/api/v1/accounts", Map.of("name", "Other", "id", other));
        assertProblem(session.get("/api/v1/accounts/" + other + "/endpoints"), 404, "No account");
    }

    @Test
    void an_expired_link_is_refused_and_a_read_only_one_only_looks() throws InterruptedException {
        receiver.answer(r -> new Reply(200, Map.of("Set-Cookie", "sid=receivers-session"), new byte[0]));
        Map<String, String> headers = Map.of("Authorization", "Bearer s3cr3t", "X-Api-Key", "k-123", "X-Tenant", "t1");
        String endpoint = createEndpoint(Map.of("url", receiver.url("/a?token=t0k3n&x=1"), "description", "kept",
                "headers", headers)).get("id").asText();
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of()));
        String delivery = receiver.next(WAIT).header("webhook-id");
        eventually(() -> "delivered".equals(deliveriesOf(eventId).get(0).get("status")), "the delivery is delivered");
        JsonNode expiring = link(operator, Map.of("expiry", 600));
        assertThat(java.time.Instant.parse(expiring.get("expiresAt").asText()))
                .isCloseTo(java.time.Instant.now().plusSeconds(600), within(60, java.time.temporal.ChronoUnit.SECONDS));
        Api session = operator.withKey(keyOf(expiring));
        assertThat(session.get(accountPath("/endpoints")).status()).isEqualTo(200);
        db.update("UPDATE api_keys SET expires_at = ? WHERE key_hash = ?",
                java.time.OffsetDateTime.now().minusSeconds(1), ApiKeysAccess.hash(keyOf(expiring)));
        assertProblem(session.get(accountPath("/endpoints")), 401, "not valid");
        JsonNode next = link(operator, Map.of());
        assertThat(count("SELECT COUNT(*) FROM api_keys WHERE key_hash = ?", ApiKeysAccess.hash(keyOf(expiring))))
                .as("an ended session's key goes when the account's next one starts").isZero();
        assertThat(operator.withKey(keyOf(next)).get(accountPath("/endpoints")).status()).isEqualTo(200);

        JsonNode readOnly = link(operator, Map.of("readOnly", true));
        assertThat(readOnly.get("readOnly").asBoolean()).isTrue();
        Api viewer = operator.withKey(keyOf(readOnly));
        assertThat(viewer.get("/api/v1/session").json().get("readOnly").asBoolean()).isTrue();
        assertThat(viewer.get(accountPath("/endpoints/" + endpoint)).status()).isEqualTo(200);
        assertThat(viewer.get(accountPath("/endpoints/" + endpoint + "/attempts")).status()).isEqualTo(200);
        assertThat(viewer.get(accountPath("/deliveries/" + delivery)).json().get("status").asText())
                .isEqualTo("delivered");
        assertThat(viewer.get(accountPath("/deliveries/" + delivery + "/attempts")).json().get("data")).hasSize(1);
        // the receiver's credentials in the endpoint's headers, and a cookie it answered with, are not shown to it
        Map<String, String> hidden = Map.of("Authorization", "[hidden]", "X-Api-Key", "[hidden]", "X-Tenant", "t1");
        JsonNode looked = viewer.get(accountPath("/endpoints/" + endpoint)).json();
        assertThat(JSON.convertValue(looked.get("headers"), Map.class)).isEqualTo(hidden);
        assertThat(looked.get("url").asText()).isEqualTo(receiver.url("/a?token=[hidden]&x=1"));
        assertThat(JSON.convertValue(viewer.get(accountPath("/endpoints")).json().get(0).get("headers"), Map.class))
                .isEqualTo(hidden);
        for (String attempts : List.of("/endpoints/" + endpoint + "/attempts",
                "/deliveries/" + delivery + "/attempts")) {
            Api.Response seen = viewer.get(accountPath(attempts));
            assertThat(seen.text()).doesNotContain("s3cr3t", "k-123", "receivers-session", "t0k3n");
            JsonNode attempt = seen.json().at("/data/0");
            assertThat(attempt.get("url").asText()).isEqualTo(receiver.url("/a?token=[hidden]&x=1"));
            assertThat(attempt.at("/requestHeaders/Authorization").asText()).isEqualTo("[hidden]");
            assertThat(attempt.at("/requestHeaders/X-Tenant").asText()).isEqualTo("t1");
            assertThat(attempt.at("/requestHeaders/webhook-id").asText()).isEqualTo(delivery);
            // (the receiver's server spells it Set-cookie)
            assertThat(attempt.get("responseHeaders").properties()).filteredOn(h -> h.getKey().equalsIgnoreCase(
                    "Set-Cookie")).extracting(h -> h.getValue().asText()).containsExactly("[hidden]");
        }
        // the keys that manage the endpoint see them, as its form writes them back whole
        assertThat(operator.withKey(keyOf(next)).get(accountPath("/endpoints/" + endpoint)).json()
                .at("/headers/Authorization").asText()).isEqualTo("Bearer s3cr3t");
        assertThat(operator.get(accountPath("/endpoints/" + endpoint + "/attempts")).json()
                .at("/data/0/requestHeaders/Authorization").asText()).isEqualTo("Bearer s3cr3t");
        assertProblem(viewer.get(accountPath("/endpoints/" + endpoint + "/secret")), 403, "read-only");
        assertProblem(viewer.patch(accountPath("/endpoints/" + endpoint), Map.of("description", "changed")),
                403, "read-only");
        assertProblem(viewer.post(accountPath("/endpoints/" + endpoint + "/test"), Map.of()), 403, "read-only");
        assertProblem(viewer.delete(accountPath("/endpoints/" + endpoint)), 403, "read-only");
        assertProblem(viewer.post(accountPath("/endpoints/" + endpoint + "/replay-missing"),
                Map.of("since", "2026-01-01T00:00:00Z")), 403, "read-only");
        // what the page never does is refused for what it is, not because the session only looks
        assertProblem(viewer.get(accountPath("/api-keys")), 403,
                "A portal session may manage endpoints and look at events and deliveries only.");
        assertThat(operator.get(accountPath("/endpoints/" + endpoint)).json().get("description").asText())
                .isEqualTo("kept");
        assertThat(receiver.takeAll()).isEmpty();
    }

    @Test
    void an_account_admin_may_ask_for_links_to_its_own_account_only() {
        String adminKey = operator.post(accountPath("/api-keys"), Map.of()).json().get("key").asText();
        Api admin = operator.withKey(adminKey);
        JsonNode link = link(admin, Map.of("expiry", 60));
        assertThat(operator.withKey(keyOf(link)).get(accountPath("/endpoints")).status()).isEqualTo(200);
        String other = "other-" + account;
        operator.post("/api/v1/accounts", Map.of("name", "Other", "id", other));
        assertProblem(admin.post("/api/v1/accounts/" + other + "/portal-access", Map.of()), 404, "No account");
    }

    @Test
    void a_portal_session_signs_out_and_its_key_is_refused_at_once_while_an_api_key_is_told_how_to_revoke_itself() {
        for (boolean readOnly : List.of(false, true)) {
            JsonNode link = link(operator, Map.of("readOnly", readOnly));
            Api session = operator.withKey(keyOf(link));
            assertThat(session.get("/api/v1/session").json().get("keyId").asText()).isEqualTo(link.get("id").asText());
            Api.Response ended = session.delete("/api/v1/session");
            assertThat(ended.status()).as(ended.text()).isEqualTo(204);
            assertThat(session.get("/api/v1/session").status()).as("read only: " + readOnly).isEqualTo(401);
            assertThat(session.get(accountPath("/endpoints")).status()).isEqualTo(401);
            assertThat(db.queryForObject("SELECT revoked_at FROM api_keys WHERE id = ?", java.time.OffsetDateTime.class,
                    link.get("id").asText())).isNotNull();
            assertThat(session.delete("/api/v1/session").status()).as("signed out already").isEqualTo(401);
        }

        JsonNode issued = operator.post(accountPath("/api-keys"), Map.of()).json();
        Api admin = operator.withKey(issued.get("key").asText());
        assertProblem(admin.delete("/api/v1/session"), 409,
                "revoke it with DELETE /api/v1/accounts/" + account + "/api-keys/" + issued.get("id").asText());
        assertThat(admin.get(accountPath("/endpoints")).status()).as("the API key still works").isEqualTo(200);
        assertProblem(operator.delete("/api/v1/session"), 409, "Only a portal session ends this way");
        assertThat(operator.get("/api/v1/session").status()).isEqualTo(200);
    }

    @Test
    void bad_lifetimes_are_refused_and_issue_no_key() {
        int keys = count("SELECT COUNT(*) FROM api_keys");
        // hookpost.portal.max-session-ttl: 7 days
        for (Object expiry : List.of(0, -5, 604_801, "soon", 1.5)) {
            assertProblem(operator.post(accountPath("/portal-access"), Map.of("expiry", expiry)), 400, "expiry");
        }
        assertProblem(operator.post(accountPath("/portal-access"), Map.of("readOnly", "yes")), 400, "readOnly");
        assertProblem(operator.post(accountPath("/portal-access"), Map.of("scope", "all")), 400, "scope");
        assertThat(count("SELECT COUNT(*) FROM api_keys")).isEqualTo(keys);
        assertThat(link(operator, Map.of("expiry", 604_800)).get("expiresAt").asText()).isNotEmpty();
    }

    @Test
    void the_page_is_served_with_a_policy_that_runs_only_hookposts_own_scripts() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(
                "http://localhost:" + port + "/portal/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.body()).contains("<script src=\"portal.js\"");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(policy -> assertThat(policy)
                .contains("script-src 'self'", "connect-src 'self'", "frame-ancestors 'self'")
                .doesNotContain("unsafe-inline"));
        assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");

        HttpResponse<String> bare = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/portal"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bare.statusCode()).isEqualTo(302);
        assertThat(bare.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/portal/"));
        HttpResponse<String> script = http.send(HttpRequest.newBuilder(URI.create(
                "http://localhost:" + port + "/portal/portal.js")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).contains("javascript"));
    }
}

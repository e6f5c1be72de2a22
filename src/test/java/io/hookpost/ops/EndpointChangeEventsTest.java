package io.hookpost.ops;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookpost.HookpostProperties;
import io.hookpost.support.Api;
import io.hookpost.support.HookpostTest;
import io.hookpost.support.AdminWebhook;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/** The operator's admin webhooks hear of every endpoint an account creates, changes, enables or deletes. */
class EndpointChangeEventsTest extends HookpostTest {
    private static final List<String> TYPES = List.of("endpoint.created", "endpoint.updated", "endpoint.enabled",
            "endpoint.deleted");
    @Autowired
    HookpostProperties properties;
    private AdminWebhook admin;

    @BeforeEach
    void adminWebhook() throws Exception {
        admin = new AdminWebhook(operator, properties.ops().accountId(), TYPES);
    }

    @AfterEach
    void removeAdminWebhook() {
        admin.close();
    }

    private String opsPath() {
        return "/api/v1/accounts/" + properties.ops().accountId() + "/endpoints";
    }

    /** The next operational event about this endpoint (others' may come too: other tests' endpoints). */
    private JsonNode nextAbout(String endpointId) throws Exception {
        return admin.eventAbout("endpointId", endpointId);
    }

    @Test
    void creating_changing_pausing_enabling_and_deleting_an_endpoint_each_tell_the_admin_webhooks_once()
            throws Exception {
        JsonNode endpoint = createEndpoint(Map.of("url", receiver.url("/watched"), "description", "first",
                "metadata", Map.of("crmId", "acc-42")));
        String id = endpoint.get("id").asText();
        String path = "/api/v1/accounts/" + account + "/endpoints/" + id;
        JsonNode created = nextAbout(id);
        assertThat(created.get("type").asText()).isEqualTo("endpoint.created");
        assertThat(created.get("data").get("accountId").asText()).isEqualTo(account);
        assertThat(created.get("data").get("url").asText()).isEqualTo(receiver.url("/watched"));
        assertThat(created.get("data").get("metadata").get("crmId").asText()).isEqualTo("acc-42");
        assertThat(created.get("data").get("active").asBoolean()).isTrue();
        assertThat(created.get("timestamp").asText()).isEqualTo(endpoint.get("updatedAt").asText());

        JsonNode changed = operator.patch(path, Map.of("description", "second")).json();
        JsonNode updated = nextAbout(id);
        assertThat(updated.get("type").asText()).isEqualTo("endpoint.updated");
        assertThat(updated.get("data").get("description").asText()).isEqualTo("second");
        assertThat(updated.get("data").get("updatedAt").asText()).isEqualTo(changed.get("updatedAt").asText());

        assertThat(operator.post(path + "/enable", Map.of()).status()).isEqualTo(200);
        assertThat(operator.patch(path, Map.of("active", false)).status()).isEqualTo(200);
        JsonNode paused = nextAbout(id);
        assertThat(paused.get("type").asText()).as("enabling an active endpoint tells nothing")
                .isEqualTo("endpoint.updated");
        assertThat(paused.get("data").get("active").asBoolean()).isFalse();
        assertThat(paused.get("data").get("disabledReason").asText()).isEqualTo("disabled over the API");

        assertThat(operator.post(path + "/enable", Map.of()).status()).isEqualTo(200);
        JsonNode enabled = nextAbout(id);
        assertThat(enabled.get("type").asText()).isEqualTo("endpoint.enabled");
        assertThat(enabled.get("data").get("active").asBoolean()).isTrue();

        assertThat(operator.delete(path).status()).isEqualTo(204);
        JsonNode deleted = nextAbout(id);
        assertThat(deleted.get("type").asText()).isEqualTo("endpoint.deleted");
        assertThat(deleted.get("data").get("active").asBoolean()).isFalse();
        assertThat(deleted.get("data").get("url").asText()).isEqualTo(receiver.url("/watched"));
        assertThat(operator.delete(path).status()).as("deleted already").isEqualTo(404);

        // once each, recorded as Hookpost's own events of the ops account (and the pause's endpoint.disabled, which
        // this admin webhook does not subscribe to)
        assertThat(admin.drain(Duration.ofMillis(1500)).stream()
                .filter(body -> body.contains(id))).as("no second event about it").isEmpty();
        assertThat(count("SELECT COUNT(*) FROM events WHERE account_id = ? AND source = 'system' AND id LIKE ?",
                properties.ops().accountId(), "%:" + id + ":%")).isEqualTo(6);
    }

    @Test
    void pausing_an_endpoint_also_tells_endpoint_disabled_by_hand_once_and_resuming_or_pausing_again_does_not()
            throws Exception {
        try (AdminWebhook disabledOnly = new AdminWebhook(operator, properties.ops().accountId(),
                List.of("endpoint.disabled"))) {
            String id = createEndpoint(Map.of("url", receiver.url("/paused"))).get("id").asText();
            String path = "/api/v1/accounts/" + account + "/endpoints/" + id;
            JsonNode paused = operator.patch(path, Map.of("active", false)).json();
            JsonNode told = disabledOnly.eventAbout("endpointId", id);
            assertThat(told.get("type").asText()).isEqualTo("endpoint.disabled");
            assertThat(told.get("timestamp").asText()).isEqualTo(paused.get("updatedAt").asText());
            JsonNode data = told.get("data");
            assertThat(data.get("trigger").asText()).isEqualTo("manual");
            assertThat(data.get("accountId").asText()).isEqualTo(account);
            assertThat(data.get("url").asText()).isEqualTo(receiver.url("/paused"));
            assertThat(data.get("reason").asText()).isEqualTo("disabled over the API");
            assertThat(data.get("disabledAt").asText()).isEqualTo(paused.get("updatedAt").asText());
            assertThat(paused.get("disabledAt").asText()).isEqualTo(paused.get("updatedAt").asText());
            assertThat(data.get("failSince").isNull()).as("no attempt of it failed").isTrue();
            // two deliveries to one endpoint are not ordered: the creation may reach it after the change
            assertThat(List.of(nextAbout(id).get("type").asText(), nextAbout(id).get("type").asText()))
                    .as("and the creation and the change itself").containsExactlyInAnyOrder("endpoint.created",
                            "endpoint.updated");

            // a paused endpoint paused again, or resumed, is not disabled now
            operator.patch(path, Map.of("active", false));
            operator.patch(path, Map.of("active", true));
            operator.patch(path, Map.of("description", "changed"));
            assertThat(disabledOnly.drain(Duration.ofMillis(1500)).stream().filter(body -> body.contains(id)))
                    .as("one endpoint.disabled").isEmpty();
        }
    }

    @Test
    void pausing_a_failing_endpoint_tells_when_its_failures_began_and_what_its_last_attempt_got() throws Exception {
        try (AdminWebhook disabledOnly = new AdminWebhook(operator, properties.ops().accountId(),
                List.of("endpoint.disabled"))) {
            receiver.answer(r -> io.hookpost.support.TestReceiver.Reply.status(503));
            String id = createEndpoint(Map.of("url", receiver.url("/failing"), "retrySchedule", List.of("1h")))
                    .get("id").asText();
            String path = "/api/v1/accounts/" + account + "/endpoints/" + id;
            publish(Map.of("type", "host.offline", "data", Map.of()));
            eventually(() -> operator.get(path).json().get("consecutiveFailures").asInt() == 1, "its attempt failed");
            JsonNode failing = operator.get(path).json();

            assertThat(operator.patch(path, Map.of("active", false)).status()).isEqualTo(200);
            JsonNode data = disabledOnly.eventAbout("endpointId", id).get("data");
            assertThat(data.get("trigger").asText()).isEqualTo("manual");
            assertThat(data.get("failSince").asText()).isEqualTo(failing.get("failingSince").asText());
            assertThat(data.get("lastResponseStatus").asInt()).isEqualTo(503);
            assertThat(data.get("lastError").isNull() ? null : data.get("lastError").asText()).isEqualTo(
                    db.queryForObject("SELECT error FROM attempts WHERE endpoint_id = ?", String.class, id));
        }
    }

    @Test
    void refused_changes_and_the_ops_accounts_own_endpoints_tell_nothing() throws Exception {
        String id = createEndpoint(Map.of("url", receiver.url("/kept"))).get("id").asText();
        assertThat(nextAbout(id).get("type").asText()).isEqualTo("endpoint.created");
        String path = "/api/v1/accounts/" + account + "/endpoints/" + id;
        assertProblem(operator.patch(path, Map.of("rateLimit", 0)), 400, "rateLimit");
        Map<String, Object> bad = new HashMap<>();
        bad.put("eventTypes", null);
        assertProblem(operator.patch(path, bad), 400, "eventTypes");

        Api.Response own = operator.post(opsPath(), Map.of("url", admin.url("/second"), "eventTypes",
                List.of("endpoint.disabled")));
        String ownId = own.json().get("id").asText();
        operator.patch(opsPath() + "/" + ownId, Map.of("description", "changed"));
        operator.delete(opsPath() + "/" + ownId);
        assertThat(admin.drain(Duration.ofMillis(2000)).stream()
                .filter(body -> body.contains(id) || body.contains(ownId) || body.contains(admin.id())))
                .as("nothing about the refused changes or the ops account's endpoints").isEmpty();
        assertThat(count("SELECT COUNT(*) FROM events WHERE account_id = ? AND (id LIKE ? OR id LIKE ?)",
                properties.ops().accountId(), "%:" + ownId + ":%", "%:" + admin.id() + ":%")).isZero();
    }
}

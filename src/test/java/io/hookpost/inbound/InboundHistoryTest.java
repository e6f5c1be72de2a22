package io.hookpost.inbound;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookpost.support.Api;
import io.hookpost.support.Hmac;
import io.hookpost.support.HookpostTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the inbound side recorded, read over the API: a connection's callbacks with what each came with, and where a
 * message stands per recipient ({@code GET …/message-statuses?messageId=}), from real signed callbacks over HTTP.
 */
class InboundHistoryTest extends HookpostTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    private JsonNode connectEmailStatus() {
        Api.Response created = operator.post("/api/v1/accounts/" + account + "/providers",
                Map.of("provider", "email-status", "credentials", Map.of()));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return created.json();
    }

    /** Hookpost's own email-status callback, signed with the connection's secret; answered 200. */
    private void emailStatus(JsonNode connection, String messageId, String event, String recipient) throws Exception {
        byte[] body = ("{\"messageId\":\"" + messageId + "\",\"event\":\"" + event + "\",\"recipient\":\"" + recipient
                + "\"}").getBytes(StandardCharsets.UTF_8);
        assertThat(post(connection, body, "application/json", connection.get("secret").asText())).isEqualTo(200);
    }

    /** A callback to the connection's inbound URL signed with {@code secret}; the answer's status. */
    private int post(JsonNode connection, byte[] body, String contentType, String secret) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + connection.get("inboundPath").asText()))
                .header("Content-Type", contentType)
                .header("X-Webhook-Signature", "sha256=" + Hmac.hex("HmacSHA256", secret, body))
                .header("X-Provider-Trace", "trace-1")
                .header("X-Api-Key", "provider-key-0123")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private String callbacksPath(JsonNode connection) {
        return "/api/v1/accounts/" + account + "/providers/" + connection.get("id").asText() + "/callbacks";
    }

    private static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.get("data").forEach(callback -> ids.add(callback.get("id").asText()));
        return ids;
    }

    @Test
    void a_connections_callbacks_are_listed_newest_first_with_what_each_came_with() throws Exception {
        JsonNode connection = connectEmailStatus();
        String secret = connection.get("secret").asText();
        byte[] json = "{\"messageId\":\"m-1\",\"event\":\"delivery\",\"recipient\":\"ana@example.com\"}"
                .getBytes(StandardCharsets.UTF_8);
        byte[] text = "not json at all: ünïcödé".getBytes(StandardCharsets.UTF_8);
        byte[] binary = {(byte) 0xFF, (byte) 0xFE, 0x00, 0x7B, (byte) 0xC3, 0x28, (byte) 0x80, 0x0A, 0x00};
        assertThat(post(connection, json, "application/json", secret)).isEqualTo(200);
        assertThat(post(connection, text, "text/plain", secret)).isEqualTo(200);
        assertThat(post(connection, binary, "application/octet-stream", secret)).isEqualTo(200);
        assertThat(post(connection, "{\"messageId\":\"m-forged\"}".getBytes(StandardCharsets.UTF_8), "application/json",
                "another-secret-of-24-characters")).as("forged").isEqualTo(401);
        eventually(() -> count("SELECT COUNT(*) FROM inbound_callbacks WHERE connection_id = ? AND status <> 'received'",
                connection.get("id").asText()) == 3, "the three callbacks handled");

        Api.Response list = operator.get(callbacksPath(connection));
        assertThat(list.status()).as(list.text()).isEqualTo(200);
        List<String> listed = ids(list.json());
        assertThat(listed).as("the forged one is not stored").hasSize(3);
        List<String> newestFirst = db.queryForList("SELECT id FROM inbound_callbacks WHERE connection_id = ?"
                + " ORDER BY received_at DESC, id DESC", String.class, connection.get("id").asText());
        assertThat(listed).isEqualTo(newestFirst);
        JsonNode newest = list.json().get("data").get(0);
        assertThat(newest.get("provider").asText()).isEqualTo("email-status");
        assertThat(newest.get("connectionId").asText()).isEqualTo(connection.get("id").asText());
        assertThat(newest.get("status").asText()).isEqualTo("failed");
        assertThat(newest.get("receivedAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(newest.get("processedAt").isNull()).isFalse();
        assertThat(newest.has("body")).as("the list leaves bodies out").isFalse();

        JsonNode failed = operator.get(callbacksPath(connection) + "?status=failed").json();
        assertThat(ids(failed)).containsExactly(listed.get(0), listed.get(1));
        assertThat(ids(operator.get(callbacksPath(connection) + "?status=processed").json()))
                .containsExactly(listed.get(2));

        JsonNode first = operator.get(callbacksPath(connection) + "/" + listed.get(2)).json();
        assertThat(first.get("status").asText()).isEqualTo("processed");
        assertThat(first.get("body").asText().getBytes(StandardCharsets.UTF_8)).isEqualTo(json);
        assertThat(first.get("bodyBase64").isNull()).isTrue();
        assertThat(first.get("headers").get("content-type").asText()).isEqualTo("application/json");
        assertThat(first.get("headers").get("x-provider-trace").asText()).isEqualTo("trace-1");
        assertThat(first.get("headers").get("x-api-key").asText()).as("a credential's value").isEqualTo("[hidden]");
        assertThat(first.get("headers").get("x-webhook-signature").asText())
                .isEqualTo("sha256=" + Hmac.hex("HmacSHA256", secret, json));
        assertThat(operator.get(callbacksPath(connection) + "/" + listed.get(1)).json().get("body").asText())
                .isEqualTo("not json at all: ünïcödé");
        JsonNode notText = operator.get(callbacksPath(connection) + "/" + listed.get(0)).json();
        assertThat(notText.get("body").isNull()).isTrue();
        assertThat(Base64.getDecoder().decode(notText.get("bodyBase64").asText())).isEqualTo(binary);

        JsonNode page = operator.get(callbacksPath(connection) + "?limit=2").json();
        assertThat(ids(page)).containsExactly(listed.get(0), listed.get(1));
        JsonNode rest = operator.get(callbacksPath(connection) + "?limit=2&cursor=" + page.get("nextCursor").asText())
                .json();
        assertThat(ids(rest)).containsExactly(listed.get(2));
        assertThat(rest.get("nextCursor").isNull()).isTrue();
    }

    @Test
    void a_callback_with_nothing_hookpost_records_is_listed_as_ignored() throws Exception {
        JsonNode connection = connectEmailStatus();
        emailStatus(connection, "m-1", "subscribed", "ana@example.com"); // an event email-status does not map
        emailStatus(connection, "m-1", "delivery", "ana@example.com");
        eventually(() -> count("SELECT COUNT(*) FROM inbound_callbacks WHERE connection_id = ? AND status <> 'received'",
                connection.get("id").asText()) == 2, "both callbacks handled");

        JsonNode list = operator.get(callbacksPath(connection)).json();
        List<String> listed = ids(list);
        assertThat(list.get("data").get(0).get("status").asText()).isEqualTo("processed");
        assertThat(list.get("data").get(1).get("status").asText()).isEqualTo("ignored");
        assertThat(list.get("data").get(1).get("processedAt").isNull()).isFalse();
        assertThat(ids(operator.get(callbacksPath(connection) + "?status=ignored").json()))
                .containsExactly(listed.get(1));
        assertThat(ids(operator.get(callbacksPath(connection) + "?status=processed").json()))
                .containsExactly(listed.get(0));
        assertThat(rows(statuses(operator, account, Map.of("messageId", "m-1")).json()))
                .containsExactly("ana@example.com=delivered");
    }

    @Test
    void a_body_with_more_after_its_json_a_name_given_twice_or_nothing_is_failed_not_read_in_part() throws Exception {
        JsonNode connection = connectEmailStatus();
        String secret = connection.get("secret").asText();
        for (String body : List.of("{\"messageId\":\"trail-1\",\"event\":\"delivery\"}"
                        + " {\"messageId\":\"trail-2\",\"event\":\"bounce\"}",
                "{\"messageId\":\"twice-1\",\"event\":\"delivery\",\"event\":\"bounce\"}", "")) {
            assertThat(post(connection, body.getBytes(StandardCharsets.UTF_8), "application/json", secret)).as(body)
                    .isEqualTo(200);
        }
        eventually(() -> count("SELECT COUNT(*) FROM inbound_callbacks WHERE connection_id = ? AND status = 'failed'",
                connection.get("id").asText()) == 3, "the three callbacks failed");
        for (String messageId : List.of("trail-1", "trail-2", "twice-1")) {
            assertThat(rows(statuses(operator, account, Map.of("messageId", messageId)).json())).as(messageId)
                    .isEmpty();
        }
    }

    @Test
    void a_status_whose_message_id_or_recipient_holds_a_nul_character_is_left_out_and_the_rest_recorded()
            throws Exception {
        // PostgreSQL's text refuses U+0000: stored, it failed the callback on every redelivery
        JsonNode connection = connectEmailStatus();
        emailStatus(connection, "m-nul\\u0000", "delivery", "ana@example.com");
        emailStatus(connection, "m-nul-2", "delivery", "ana\\u0000@example.com");
        emailStatus(connection, "m-fine", "delivery", "ana@example.com");
        eventually(() -> count("SELECT COUNT(*) FROM inbound_callbacks WHERE connection_id = ? AND status <> 'received'",
                connection.get("id").asText()) == 3, "the three callbacks handled");
        JsonNode list = operator.get(callbacksPath(connection)).json();
        assertThat(list.get("data").get(0).get("status").asText()).isEqualTo("processed");
        assertThat(list.get("data").get(1).get("status").asText()).isEqualTo("ignored");
        assertThat(list.get("data").get(2).get("status").asText()).isEqualTo("ignored");
        assertThat(rows(statuses(operator, account, Map.of("messageId", "m-fine")).json()))
                .containsExactly("ana@example.com=delivered");
    }

    @Test
    void an_empty_or_non_text_recipient_is_no_recipient_as_a_missing_one_is() throws Exception {
        JsonNode connection = connectEmailStatus();
        String secret = connection.get("secret").asText();
        List<String> recipients = List.of("\"\"", "\"  \"", "{\"x\":1}", "null");
        for (int i = 0; i < recipients.size(); i++) {
            byte[] body = ("{\"messageId\":\"m-none-" + i + "\",\"event\":\"delivery\",\"recipient\":"
                    + recipients.get(i) + "}").getBytes(StandardCharsets.UTF_8);
            assertThat(post(connection, body, "application/json", secret)).as(recipients.get(i)).isEqualTo(200);
        }
        normalised(connection, recipients.size());
        for (int i = 0; i < recipients.size(); i++) {
            JsonNode page = statuses(operator, account, Map.of("messageId", "m-none-" + i)).json();
            assertThat(page.get("data")).as(recipients.get(i)).hasSize(1);
            assertThat(page.get("data").get(0).get("recipient").isNull()).as(recipients.get(i) + ": " + page)
                    .isTrue();
        }
    }

    @Test
    void a_stored_callback_is_normalised_again_on_request_and_nothing_is_sent_twice() throws Exception {
        createEndpoint(Map.of("url", receiver.url("/statuses"), "eventTypes", List.of("message.*")));
        JsonNode connection = connectEmailStatus();
        String connectionId = connection.get("id").asText();
        // what a build that did not read this callback left: verified and stored, nothing recorded from it
        String callbackId = "cb_older_build_" + System.nanoTime();
        db.update("INSERT INTO inbound_callbacks (id, connection_id, account_id, dedupe_key, headers, body, status,"
                + " received_at, processed_at) VALUES (?, ?, ?, ?, '{\"content-type\":\"application/json\"}', ?,"
                + " 'ignored', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)", callbackId, connectionId, account, callbackId,
                "{\"messageId\":\"m-old\",\"event\":\"open\",\"recipient\":\"ana@example.com\"}"
                        .getBytes(StandardCharsets.UTF_8));

        Api.Response reprocess = operator.post(callbacksPath(connection) + "/" + callbackId + "/reprocess", Map.of());
        assertThat(reprocess.status()).as(reprocess.text()).isEqualTo(202);
        assertThat(reprocess.json().get("id").asText()).isEqualTo(callbackId);
        assertThat(reprocess.json().get("status").asText()).isEqualTo("received");
        assertThat(reprocess.json().get("processedAt").isNull()).isTrue();

        JsonNode opened = JSON.readTree(receiver.next(WAIT).body());
        assertThat(opened.get("type").asText()).isEqualTo("message.opened");
        assertThat(opened.at("/data/messageId").asText()).isEqualTo("m-old");
        eventually(() -> "processed".equals(operator.get(callbacksPath(connection) + "/" + callbackId).json()
                .get("status").asText()), "the callback processed");
        assertThat(rows(statuses(operator, account, Map.of("messageId", "m-old")).json()))
                .containsExactly("ana@example.com=opened");

        // again: the status is there and the event's id known, so nothing moves and nothing is sent
        assertThat(operator.post(callbacksPath(connection) + "/" + callbackId + "/reprocess", Map.of()).status())
                .isEqualTo(202);
        eventually(() -> "processed".equals(operator.get(callbacksPath(connection) + "/" + callbackId).json()
                .get("status").asText()), "the callback processed again");
        assertThat(receiver.drain(java.time.Duration.ofSeconds(1))).as("nothing sent twice").isEmpty();
        assertThat(count("SELECT COUNT(*) FROM events WHERE account_id = ? AND type = 'message.opened'", account))
                .isEqualTo(1);
    }

    /** A callback stored as a build that did not read it left it (nothing recorded from it), received that long ago. */
    private String storedCallback(JsonNode connection, String status, java.time.Duration ago, String messageId,
                                  String event) {
        String callbackId = "cb_stored_" + messageId + "_" + System.nanoTime();
        db.update("INSERT INTO inbound_callbacks (id, connection_id, account_id, dedupe_key, headers, body, status,"
                        + " received_at, processed_at) VALUES (?, ?, ?, ?, '{\"content-type\":\"application/json\"}', ?,"
                        + " ?, ?, ?)", callbackId, connection.get("id").asText(), account, callbackId,
                ("{\"messageId\":\"" + messageId + "\",\"event\":\"" + event + "\",\"recipient\":\"ana@example.com\"}")
                        .getBytes(StandardCharsets.UTF_8), status,
                java.sql.Timestamp.from(java.time.Instant.now().minus(ago)),
                "received".equals(status) ? null : java.sql.Timestamp.from(java.time.Instant.now().minus(ago)));
        return callbackId;
    }

    private String callbackStatus(String callbackId) {
        return db.queryForObject("SELECT status FROM inbound_callbacks WHERE id = ?", String.class, callbackId);
    }

    @Test
    void the_callbacks_of_a_window_that_recorded_nothing_are_normalised_again_in_bulk() throws Exception {
        createEndpoint(Map.of("url", receiver.url("/statuses"), "eventTypes", List.of("message.*")));
        JsonNode connection = connectEmailStatus();
        String ignored = storedCallback(connection, "ignored", java.time.Duration.ofHours(2), "m-ignored", "open");
        String failed = storedCallback(connection, "failed", java.time.Duration.ofHours(1), "m-failed", "open");
        String processed = storedCallback(connection, "processed", java.time.Duration.ofHours(1), "m-processed", "open");
        String older = storedCallback(connection, "ignored", java.time.Duration.ofDays(3), "m-older", "open");
        String path = callbacksPath(connection) + "/reprocess";
        String since = java.time.Instant.now().minus(java.time.Duration.ofDays(2)).toString();

        Api.Response reprocess = operator.post(path, Map.of("since", since));
        assertThat(reprocess.status()).as(reprocess.text()).isEqualTo(202);
        assertThat(reprocess.json().get("reprocessed").asInt()).isEqualTo(2);
        assertThat(reprocess.json().get("nextSince").isNull()).isTrue();
        List<String> opened = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            JsonNode event = JSON.readTree(receiver.next(WAIT).body());
            opened.add(event.get("type").asText() + " " + event.at("/data/messageId").asText());
        }
        assertThat(opened).containsExactlyInAnyOrder("message.opened m-ignored", "message.opened m-failed");
        eventually(() -> "processed".equals(callbackStatus(ignored)) && "processed".equals(callbackStatus(failed)),
                "both processed");
        assertThat(receiver.drain(java.time.Duration.ofSeconds(1)))
                .as("nothing of the processed one, nor of the one before the window").isEmpty();
        assertThat(callbackStatus(older)).isEqualTo("ignored");

        // a status named: those only, here the processed ones (which the first two are now too: redone, nothing sent)
        Api.Response again = operator.post(path, Map.of("since", since, "status", "processed"));
        assertThat(again.status()).as(again.text()).isEqualTo(202);
        assertThat(again.json().get("reprocessed").asInt()).isEqualTo(3);
        JsonNode event = JSON.readTree(receiver.next(WAIT).body());
        assertThat(event.at("/data/messageId").asText()).isEqualTo("m-processed");
        eventually(() -> count("SELECT COUNT(*) FROM inbound_callbacks WHERE connection_id = ? AND status = 'processed'",
                connection.get("id").asText()) == 3, "the three processed again");
        assertThat(receiver.drain(java.time.Duration.ofSeconds(1))).as("nothing sent twice").isEmpty();
        assertThat(count("SELECT COUNT(*) FROM events WHERE account_id = ? AND type = 'message.opened'", account))
                .isEqualTo(3);
    }

    @Test
    void a_bulk_reprocess_of_bad_input_another_account_or_a_portal_session_changes_nothing() throws Exception {
        JsonNode connection = connectEmailStatus();
        String failed = storedCallback(connection, "failed", java.time.Duration.ofHours(1), "m-kept", "open");
        String path = callbacksPath(connection) + "/reprocess";
        String since = java.time.Instant.now().minus(java.time.Duration.ofDays(1)).toString();
        assertProblem(operator.post(path, Map.of()), 400, "'since' is required");
        assertProblem(operator.post(path, Map.of("since", "yesterday")), 400, "since");
        assertProblem(operator.post(path, Map.of("since", since, "until", "2020-01-01T00:00:00Z")), 400,
                "'until' must be after 'since'");
        assertProblem(operator.post(path, Map.of("since", since, "status", "lost")), 400, "'status' must be one of");
        assertProblem(operator.post(path, Map.of("since", since, "status", List.of("failed"))), 400, "status");
        assertProblem(operator.post(path, Map.of("since", since, "limit", 5)), 400, "limit");
        String other = "acct-other-" + System.nanoTime();
        assertThat(operator.post("/api/v1/accounts", Map.of("name", "Other", "id", other)).status()).isEqualTo(201);
        assertProblem(operator.post("/api/v1/accounts/" + other + "/providers/" + connection.get("id").asText()
                + "/callbacks/reprocess", Map.of("since", since)), 404, "No provider connection");
        Api portal = operator.withKey(operator.post("/api/v1/accounts/" + account + "/portal-access", Map.of())
                .json().get("token").asText());
        assertProblem(portal.post(path, Map.of("since", since)), 403, "portal session");
        assertThat(callbackStatus(failed)).as("refused reprocessing changes nothing").isEqualTo("failed");
    }

    @Test
    void callbacks_of_another_account_or_an_unknown_one_answer_404_and_bad_parameters_400() throws Exception {
        JsonNode connection = connectEmailStatus();
        emailStatus(connection, "m-1", "delivery", "ana@example.com");
        String callbackId = db.queryForObject("SELECT id FROM inbound_callbacks WHERE connection_id = ?", String.class,
                connection.get("id").asText());

        String other = "acct-other-" + System.nanoTime();
        assertThat(operator.post("/api/v1/accounts", Map.of("name", "Other", "id", other)).status()).isEqualTo(201);
        String theirPath = "/api/v1/accounts/" + other + "/providers/" + connection.get("id").asText() + "/callbacks";
        assertProblem(operator.get(theirPath), 404, "No provider connection");
        assertProblem(operator.get(theirPath + "/" + callbackId), 404, "No provider connection");
        Api theirs = operator.withKey(operator.post("/api/v1/accounts/" + other + "/api-keys", Map.of())
                .json().get("key").asText());
        assertProblem(theirs.get(callbacksPath(connection)), 404, "No account");
        assertProblem(operator.get(callbacksPath(connection) + "/cb_unknown"), 404, "No callback 'cb_unknown'");
        assertProblem(operator.post(callbacksPath(connection) + "/cb_unknown/reprocess", Map.of()), 404,
                "No callback 'cb_unknown'");
        assertProblem(operator.post(theirPath + "/" + callbackId + "/reprocess", Map.of()), 404,
                "No provider connection");
        assertProblem(theirs.post(callbacksPath(connection) + "/" + callbackId + "/reprocess", Map.of()), 404,
                "No account");
        assertProblem(operator.get(callbacksPath(connection) + "?status=lost"), 400, "'status' must be one of");
        assertProblem(operator.get(callbacksPath(connection) + "?cursor=zzz"), 400, "'cursor'");
        Api portal = operator.withKey(operator.post("/api/v1/accounts/" + account + "/portal-access", Map.of())
                .json().get("token").asText());
        assertProblem(portal.get(callbacksPath(connection)), 403, "portal session");
        assertProblem(portal.post(callbacksPath(connection) + "/" + callbackId + "/reprocess", Map.of()), 403,
                "portal session");
        assertThat(db.queryForObject("SELECT status FROM inbound_callbacks WHERE id = ?", String.class, callbackId))
                .as("refused reprocessing changes nothing").isEqualTo("processed");

        assertThat(operator.delete("/api/v1/accounts/" + account + "/providers/" + connection.get("id").asText())
                .status()).isEqualTo(204);
        assertProblem(operator.get(callbacksPath(connection)), 404, "No provider connection");
    }

    private static String query(Map<String, String> parameters) {
        List<String> pairs = new ArrayList<>();
        parameters.forEach((name, value) -> pairs.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8)));
        return "?" + String.join("&", pairs);
    }

    private Api.Response statuses(Api caller, String acct, Map<String, String> parameters) {
        return caller.get("/api/v1/accounts/" + acct + "/message-statuses" + query(parameters));
    }

    /** recipient → status, in the order listed. */
    private static List<String> rows(JsonNode page) {
        List<String> rows = new ArrayList<>();
        page.get("data").forEach(row -> rows.add(row.get("recipient").asText() + "=" + row.get("status").asText()));
        return rows;
    }

    /** Waits until every callback of the connection is normalised (the statuses are written after the 200). */
    private void normalised(JsonNode connection, int callbacks) throws InterruptedException {
        eventually(() -> count("SELECT COUNT(*) FROM inbound_callbacks WHERE connection_id = ? AND status = 'processed'",
                connection.get("id").asText()) == callbacks, callbacks + " callbacks normalised");
    }

    @Test
    void a_messages_status_per_recipient_is_listed_as_the_callbacks_left_it() throws Exception {
        JsonNode connection = connectEmailStatus();
        String message = "<20261207.abc+1/x=@mail.example.com>"; // what a provider's message id may hold
        emailStatus(connection, message, "delivery", "ana@example.com");
        emailStatus(connection, message, "bounce", "bo@example.com");
        emailStatus(connection, "m-other", "delivery", "ana@example.com");
        normalised(connection, 3);
        emailStatus(connection, message, "bounce", "ana@example.com");
        emailStatus(connection, message, "delivery", "bo@example.com"); // late: does not undo the bounce
        normalised(connection, 5);

        Api.Response page = statuses(operator, account, Map.of("messageId", message));
        assertThat(page.status()).as(page.text()).isEqualTo(200);
        assertThat(rows(page.json())).containsExactly("ana@example.com=bounced", "bo@example.com=bounced");
        JsonNode first = page.json().get("data").get(0);
        assertThat(first.get("provider").asText()).isEqualTo("email-status");
        assertThat(first.get("messageId").asText()).isEqualTo(message);
        assertThat(first.get("updatedAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(page.json().get("nextCursor").isNull()).isTrue();

        assertThat(rows(statuses(operator, account, Map.of("messageId", message, "recipient", "bo@example.com")).json()))
                .containsExactly("bo@example.com=bounced");
        assertThat(rows(statuses(operator, account, Map.of("messageId", message, "provider", "email-status")).json()))
                .hasSize(2);
        assertThat(rows(statuses(operator, account, Map.of("messageId", message, "provider", "mailgun")).json()))
                .as("another provider's message of that id").isEmpty();
        assertThat(rows(statuses(operator, account, Map.of("messageId", "m-never-sent")).json()))
                .as("a message no callback named").isEmpty();

        String other = "acct-other-" + System.nanoTime();
        assertThat(operator.post("/api/v1/accounts", Map.of("name", "Other", "id", other)).status()).isEqualTo(201);
        assertThat(rows(statuses(operator, other, Map.of("messageId", message)).json()))
                .as("another account's statuses").isEmpty();
        Api theirs = operator.withKey(operator.post("/api/v1/accounts/" + other + "/api-keys", Map.of())
                .json().get("key").asText());
        assertProblem(statuses(theirs, account, Map.of("messageId", message)), 404, "No account");
        Api ours = operator.withKey(operator.post("/api/v1/accounts/" + account + "/api-keys", Map.of())
                .json().get("key").asText());
        assertThat(rows(statuses(ours, account, Map.of("messageId", message)).json())).hasSize(2);
        Api portal = operator.withKey(operator.post("/api/v1/accounts/" + account + "/portal-access", Map.of())
                .json().get("token").asText());
        assertProblem(statuses(portal, account, Map.of("messageId", message)), 403, "portal session");
    }

    @Test
    void a_send_to_many_recipients_pages_by_recipient() throws Exception {
        JsonNode connection = connectEmailStatus();
        List<String> recipients = List.of("c@example.com", "a@example.com", "e@example.com", "b@example.com",
                "d@example.com");
        for (String recipient : recipients) {
            emailStatus(connection, "m-many", "delivery", recipient);
        }
        normalised(connection, recipients.size());

        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Map<String, String> parameters = new java.util.LinkedHashMap<>(Map.of("messageId", "m-many", "limit", "2"));
            if (cursor != null) {
                parameters.put("cursor", cursor);
            }
            JsonNode page = statuses(operator, account, parameters).json();
            assertThat(page.get("data").size()).isLessThanOrEqualTo(2);
            seen.addAll(rows(page));
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
            pages++;
        } while (cursor != null);
        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactly("a@example.com=delivered", "b@example.com=delivered",
                "c@example.com=delivered", "d@example.com=delivered", "e@example.com=delivered");
    }

    @Test
    void a_lookup_without_a_message_id_or_with_bad_parameters_gets_400() {
        assertProblem(statuses(operator, account, Map.of()), 400, "'messageId' is required");
        assertProblem(statuses(operator, account, Map.of("messageId", "")), 400, "'messageId' is required");
        assertProblem(statuses(operator, account, Map.of("messageId", "m".repeat(301))), 400, "1 to 300 characters");
        assertProblem(statuses(operator, account, Map.of("messageId", "m-1", "provider", "carrier-pigeon")), 400,
                "'provider' must be one of");
        assertProblem(statuses(operator, account, Map.of("messageId", "m-1", "recipient", "r".repeat(501))), 400,
                "'recipient' must be 1 to 500");
        assertProblem(statuses(operator, account, Map.of("messageId", "m-1", "limit", "0")), 400, "'limit'");
        assertProblem(statuses(operator, account, Map.of("messageId", "m-1", "cursor", "not-a-cursor")), 400,
                "'cursor' is not a cursor");
        assertProblem(statuses(operator, account, Map.of("messageId", "m-1", "cursor", java.util.Base64.getUrlEncoder()
                .encodeToString("carrier-pigeon:x".getBytes(StandardCharsets.UTF_8)))), 400, "'cursor' is not a cursor");
        assertProblem(statuses(operator, "acct-nobody", Map.of("messageId", "m-1")), 404, "No account");
    }
}

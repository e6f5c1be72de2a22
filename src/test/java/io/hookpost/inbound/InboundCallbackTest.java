package io.hookpost.inbound;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.twilio.security.RequestValidator;
import io.hookpost.support.Api;
import io.hookpost.support.Hmac;
import io.hookpost.support.HookpostTest;
import io.hookpost.support.TestReceiver.Received;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 5 end to end: provider callbacks over real HTTP, verified on their raw bytes, stored, normalised into
 * message statuses that only move forward, and republished as events the account's endpoints receive.
 */
class InboundCallbackTest extends HookpostTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    private JsonNode connect(String provider, Map<String, String> credentials) {
        Api.Response created = operator.post("/api/v1/accounts/" + account + "/providers",
                Map.of("provider", provider, "credentials", credentials));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return created.json();
    }

    private HttpResponse<String> callback(String pathAndQuery, byte[] body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Meta's subscription handshake: a GET with its hub.* query. */
    private HttpResponse<String> handshake(String path, String query) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path + "?" + query)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private int callbacks(String connectionId) {
        return count("SELECT COUNT(*) FROM inbound_callbacks WHERE connection_id = ?", connectionId);
    }

    private String status(String provider, String messageId) {
        List<String> statuses = db.queryForList("SELECT status FROM message_statuses WHERE account_id = ? AND provider = ?"
                + " AND provider_message_id = ?", String.class, account, provider, messageId);
        return statuses.isEmpty() ? null : statuses.get(0);
    }

    @Test
    void provider_credentials_are_never_shown_after_creation() {
        JsonNode twilio = connect("twilio", Map.of("authToken", "tw-secret-token-123456"));
        assertThat(twilio.get("inboundUrl").asText()).endsWith("/inbound/twilio/" + twilio.get("id").asText());
        assertThat(twilio.toString()).doesNotContain("tw-secret-token-123456");
        Api.Response list = operator.get("/api/v1/accounts/" + account + "/providers");
        assertThat(list.json().get(0).get("createdAt")).as("the same instant as at creation")
                .isEqualTo(twilio.get("createdAt"));
        assertThat(list.text()).contains(twilio.get("id").asText()).doesNotContain("tw-secret-token-123456");
        assertProblem(operator.post("/api/v1/accounts/" + account + "/providers",
                Map.of("provider", "twilio", "credentials", Map.of())), 400, "authToken");
        assertProblem(operator.post("/api/v1/accounts/" + account + "/providers",
                Map.of("provider", "carrier-pigeon")), 400, "provider");
        assertThat(operator.delete("/api/v1/accounts/" + account + "/providers/" + twilio.get("id").asText()).status())
                .isEqualTo(204);
    }

    @Test
    void a_secret_too_short_to_authenticate_callbacks_gets_400_and_nothing_is_saved() {
        String providers = "/api/v1/accounts/" + account + "/providers";
        assertProblem(operator.post(providers, Map.of("provider", "email-status", "credentials", Map.of("secret", "abcde"))),
                400, "at least 24 characters");
        assertProblem(operator.post(providers, Map.of("provider", "inbound-email",
                "credentials", Map.of("secret", "x".repeat(23)))), 400, "at least 24 characters");
        assertThat(operator.get(providers).json()).isEmpty();
        assertThat(connect("email-status", Map.of("secret", "s".repeat(24))).has("secret"))
                .as("a secret the client chose is not shown back").isFalse();
    }

    @Test
    void a_signed_email_status_is_stored_normalised_and_republished_and_a_replay_changes_nothing() throws Exception {
        createEndpoint(Map.of("url", receiver.url("/statuses"), "eventTypes", List.of("message.*")));
        JsonNode connection = connect("email-status", Map.of());
        String secret = connection.get("secret").asText();
        String path = connection.get("inboundPath").asText();
        byte[] body = "{\"messageId\":\"m-1\",\"event\":\"delivery\",\"recipient\":\"ana@example.com\",\"timestamp\":\"2026-11-01T10:00:00Z\"}"
                .getBytes(StandardCharsets.UTF_8);
        Map<String, String> signed = Map.of("Content-Type", "application/json",
                "X-Webhook-Signature", "sha256=" + Hmac.hex("HmacSHA256", secret, body));

        assertThat(callback(path, body, signed).statusCode()).isEqualTo(200);
        Received event = receiver.next(WAIT);
        JsonNode delivered = JSON.readTree(event.body());
        assertThat(delivered.get("type").asText()).isEqualTo("message.delivered");
        assertThat(delivered.get("data").get("messageId").asText()).isEqualTo("m-1");
        assertThat(delivered.get("data").get("recipient").asText()).isEqualTo("ana@example.com");
        assertThat(status("email-status", "m-1")).isEqualTo("delivered");

        assertThat(callback(path, body, signed).statusCode()).as("a replay is answered 200").isEqualTo(200);
        assertThat(callbacks(connection.get("id").asText())).isEqualTo(1);
        assertThat(receiver.drain(Duration.ofSeconds(1))).as("a replay republishes nothing").isEmpty();
    }

    @Test
    void an_inbound_email_larger_than_an_event_may_be_is_republished_and_delivered() throws Exception {
        createEndpoint(Map.of("url", receiver.url("/mail"), "eventTypes", List.of("email.*")));
        JsonNode connection = connect("inbound-email", Map.of());
        String html = "<p>" + "Hello there. ".repeat(30_000) + "</p>"; // 390 KB: over the 256 KB of an event
        byte[] body = JSON.writeValueAsBytes(Map.of("messageId", "big-1", "from", "ana@example.com",
                "to", "support@example.com", "subject", "A long one", "html", html));
        Map<String, String> signed = Map.of("Content-Type", "application/json",
                "X-Webhook-Signature", "sha256=" + Hmac.hex("HmacSHA256", connection.get("secret").asText(), body));

        assertThat(callback(connection.get("inboundPath").asText(), body, signed).statusCode()).isEqualTo(200);
        JsonNode delivered = JSON.readTree(receiver.next(WAIT).body());
        assertThat(delivered.get("type").asText()).isEqualTo("email.received");
        assertThat(delivered.at("/data/html").asText()).isEqualTo(html);
    }

    @Test
    void a_callback_the_database_fails_to_store_gets_a_problem_document_and_is_stored_when_sent_again()
            throws Exception {
        JsonNode connection = connect("email-status", Map.of());
        String connectionId = connection.get("id").asText();
        byte[] body = "{\"messageId\":\"m-db\",\"event\":\"delivery\",\"recipient\":\"ana@example.com\"}"
                .getBytes(StandardCharsets.UTF_8);
        Map<String, String> signed = Map.of("Content-Type", "application/json",
                "X-Webhook-Signature", "sha256=" + Hmac.hex("HmacSHA256", connection.get("secret").asText(), body));

        // the insert itself fails, after every check before it passed
        db.execute("ALTER TABLE inbound_callbacks ADD CONSTRAINT refuse_one CHECK (connection_id <> '" + connectionId + "')");
        HttpResponse<String> refused;
        try {
            refused = callback(connection.get("inboundPath").asText(), body, signed);
        } finally {
            db.execute("ALTER TABLE inbound_callbacks DROP CONSTRAINT refuse_one");
        }
        assertThat(refused.statusCode()).isEqualTo(500);
        assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(JSON.readTree(refused.body()).get("detail").asText()).contains("has been logged");
        assertThat(callbacks(connectionId)).isZero();

        assertThat(callback(connection.get("inboundPath").asText(), body, signed).statusCode()).isEqualTo(200);
        assertThat(callbacks(connectionId)).isEqualTo(1);
    }

    @Test
    void copies_of_a_callback_sent_at_the_same_moment_are_all_answered_200_and_stored_once() throws Exception {
        createEndpoint(Map.of("url", receiver.url("/statuses"), "eventTypes", List.of("message.*")));
        JsonNode connection = connect("email-status", Map.of());
        String secret = connection.get("secret").asText();
        String path = connection.get("inboundPath").asText();
        for (int round = 0; round < 5; round++) {
            byte[] body = ("{\"messageId\":\"race-" + round + "\",\"event\":\"delivery\"}").getBytes(StandardCharsets.UTF_8);
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .header("X-Webhook-Signature", "sha256=" + Hmac.hex("HmacSHA256", secret, body)).build();
            List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> copies = new java.util.ArrayList<>();
            for (int i = 0; i < 16; i++) {
                copies.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
            }
            for (var copy : copies) {
                assertThat(copy.get().statusCode()).as(copy.get().body()).isEqualTo(200);
            }
        }
        assertThat(callbacks(connection.get("id").asText())).isEqualTo(5);
        for (int round = 0; round < 5; round++) {
            assertThat(JSON.readTree(receiver.next(WAIT).body()).get("type").asText()).isEqualTo("message.delivered");
        }
        assertThat(receiver.drain(Duration.ofSeconds(1))).isEmpty();
    }

    @Test
    void forged_unsigned_and_tampered_callbacks_get_401_and_change_nothing() throws Exception {
        JsonNode connection = connect("email-status", Map.of());
        String secret = connection.get("secret").asText();
        String path = connection.get("inboundPath").asText();
        byte[] body = "{\"messageId\":\"m-2\",\"event\":\"bounce\"}".getBytes(StandardCharsets.UTF_8);
        byte[] tampered = "{\"messageId\":\"m-2\",\"event\":\"open!\"}".getBytes(StandardCharsets.UTF_8);

        assertThat(callback(path, body, Map.of()).statusCode()).isEqualTo(401);
        assertThat(callback(path, body, Map.of("X-Webhook-Signature", "sha256=" + Hmac.hex("HmacSHA256", "wrong", body)))
                .statusCode()).isEqualTo(401);
        assertThat(callback(path, tampered, Map.of("X-Webhook-Signature", "sha256=" + Hmac.hex("HmacSHA256", secret, body)))
                .statusCode()).isEqualTo(401);
        // the signature may not arrive as a query parameter in place of the header
        String viaQuery = path + "?X-Webhook-Signature=sha256%3D" + Hmac.hex("HmacSHA256", secret, body);
        assertThat(callback(viaQuery, body, Map.of()).statusCode()).isEqualTo(401);
        assertThat(callback("/inbound/email-status/prv_unknown", body, Map.of()).statusCode()).isEqualTo(404);
        assertThat(callbacks(connection.get("id").asText())).isZero();
        assertThat(status("email-status", "m-2")).isNull();
    }

    private HttpResponse<String> head(String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method("HEAD", HttpRequest.BodyPublishers.noBody());
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void a_head_request_is_no_callback_even_with_valid_credentials_and_nothing_is_stored() throws Exception {
        JsonNode postmark = connect("postmark", Map.of("username", "pm-user", "password", "pm-password-1"));
        JsonNode own = connect("email-status", Map.of());
        String basic = "Basic " + Base64.getEncoder().encodeToString("pm-user:pm-password-1"
                .getBytes(StandardCharsets.UTF_8));
        assertThat(head(postmark.get("inboundPath").asText(), Map.of("Authorization", basic)).statusCode())
                .isEqualTo(405);
        assertThat(head(own.get("inboundPath").asText(), Map.of("X-Webhook-Signature", "sha256="
                + Hmac.hex("HmacSHA256", own.get("secret").asText(), new byte[0]))).statusCode()).isEqualTo(405);
        assertThat(callbacks(postmark.get("id").asText()) + callbacks(own.get("id").asText()))
                .as("stored as empty callbacks before").isZero();
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + postmark.get("inboundPath").asText())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).hasValue("POST");

        JsonNode meta = connect("meta", Map.of("appSecret", "meta-app-secret", "verifyToken", "verify-me"));
        assertThat(head(meta.get("inboundPath").asText() + "?hub.mode=subscribe&hub.verify_token=verify-me"
                + "&hub.challenge=7", Map.of()).statusCode()).as("Meta's handshake, as a GET").isEqualTo(200);
        assertThat(callbacks(meta.get("id").asText())).isZero();
    }

    @Test
    void a_basic_auth_provider_refused_is_asked_for_basic_auth_and_a_signed_one_is_not() throws Exception {
        JsonNode postmark = connect("postmark", Map.of("username", "pm-user", "password", "pm-password-1"));
        HttpResponse<String> unasked = callback(postmark.get("inboundPath").asText(),
                "{}".getBytes(StandardCharsets.UTF_8), Map.of("Content-Type", "application/json"));
        assertThat(unasked.statusCode()).isEqualTo(401);
        assertThat(unasked.headers().firstValue("WWW-Authenticate")).hasValue(
                "Basic realm=\"Hookpost inbound\", charset=\"UTF-8\"");
        JsonNode own = connect("email-status", Map.of());
        HttpResponse<String> unsigned = callback(own.get("inboundPath").asText(), "{}".getBytes(StandardCharsets.UTF_8),
                Map.of("Content-Type", "application/json"));
        assertThat(unsigned.statusCode()).isEqualTo(401);
        assertThat(unsigned.headers().firstValue("WWW-Authenticate")).as("a signature is no scheme to ask for").isEmpty();

        String key = Base64.getEncoder().encodeToString(p256().getPublic().getEncoded());
        assertProblem(operator.post("/api/v1/accounts/" + account + "/providers", Map.of("provider",
                "sendgrid-inbound-parse", "credentials", Map.of("publicKey", key, "username", "u", "password", "p"))),
                400, "not both");
    }

    @Test
    void a_mailgun_message_reported_by_its_legacy_and_its_json_webhooks_is_one_message() throws Exception {
        createEndpoint(Map.of("url", receiver.url("/mailgun"), "eventTypes", List.of("message.*")));
        String key = "mailgun-signing-key-0123";
        JsonNode connection = connect("mailgun", Map.of("signingKey", key));
        String timestamp = String.valueOf(Instant.now().getEpochSecond());
        String legacy = "event=delivered&recipient=ana%40example.com&Message-Id=%3Cmg-1%40mail.example.com%3E"
                + "&timestamp=" + timestamp + "&token=token-legacy-1&signature="
                + Hmac.hex("HmacSHA256", key, (timestamp + "token-legacy-1").getBytes(StandardCharsets.UTF_8));
        assertThat(callback(connection.get("inboundPath").asText(), legacy.getBytes(StandardCharsets.UTF_8),
                Map.of("Content-Type", "application/x-www-form-urlencoded")).statusCode()).isEqualTo(200);
        JsonNode delivered = JSON.readTree(receiver.next(WAIT).body());
        assertThat(delivered.at("/data/messageId").asText()).as("without its angle brackets")
                .isEqualTo("mg-1@mail.example.com");

        String json = "{\"signature\":{\"timestamp\":\"" + timestamp + "\",\"token\":\"token-json-1\",\"signature\":\""
                + Hmac.hex("HmacSHA256", key, (timestamp + "token-json-1").getBytes(StandardCharsets.UTF_8)) + "\"},\"event-data\":{\"event\":\"opened\","
                + "\"recipient\":\"ana@example.com\",\"timestamp\":" + timestamp + ",\"message\":{\"headers\":"
                + "{\"message-id\":\"mg-1@mail.example.com\"}}}}";
        assertThat(callback(connection.get("inboundPath").asText(), json.getBytes(StandardCharsets.UTF_8),
                Map.of("Content-Type", "application/json")).statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(receiver.next(WAIT).body()).at("/data/messageId").asText())
                .isEqualTo("mg-1@mail.example.com");
        eventually(() -> "opened".equals(status("mailgun", "mg-1@mail.example.com")), "one message, opened");
        assertThat(count("SELECT COUNT(*) FROM message_statuses WHERE account_id = ?", account)).isEqualTo(1);
        for (String asked : List.of("mg-1%40mail.example.com", "%3Cmg-1%40mail.example.com%3E")) {
            JsonNode rows = operator.get("/api/v1/accounts/" + account + "/message-statuses?messageId=" + asked).json();
            assertThat(rows.get("data")).as(asked).hasSize(1);
            assertThat(rows.get("data").get(0).get("status").asText()).isEqualTo("opened");
        }
    }

    @Test
    void a_callback_larger_than_the_limit_gets_a_413_problem_and_is_not_kept() throws Exception {
        JsonNode connection = connect("email-status", Map.of());
        byte[] body = new byte[10 * 1024 * 1024 + 1]; // hookpost.inbound.max-body-bytes + 1
        HttpResponse<String> answer = callback(connection.get("inboundPath").asText(), body, Map.of());
        assertThat(answer.statusCode()).isEqualTo(413);
        assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode problem = new ObjectMapper().readTree(answer.body());
        assertThat(problem.get("status").asInt()).isEqualTo(413);
        assertThat(problem.get("title").asText()).isEqualTo("Content Too Large");
        assertThat(problem.get("detail").asText()).contains("larger than 10485760 bytes");
        assertThat(problem.get("instance").asText()).isEqualTo(connection.get("inboundPath").asText());
        assertThat(callbacks(connection.get("id").asText())).isZero();
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void a_binary_body_is_verified_and_kept_byte_for_byte_and_one_that_cannot_be_read_is_marked_failed(
            CapturedOutput output) throws Exception {
        createEndpoint(Map.of("url", receiver.url("/statuses"), "eventTypes", List.of("message.*")));
        JsonNode connection = connect("email-status", Map.of());
        String secret = connection.get("secret").asText();
        byte[] body = {(byte) 0xFF, (byte) 0xFE, 0x00, 0x7B, (byte) 0xC3, 0x28, (byte) 0x80, 0x0A, 0x00};
        assertThat(callback(connection.get("inboundPath").asText(), body, Map.of("Content-Type", "application/octet-stream",
                "X-Webhook-Signature", "sha256=" + Hmac.hex("HmacSHA256", secret, body))).statusCode()).isEqualTo(200);
        String id = connection.get("id").asText();
        assertThat(db.queryForObject("SELECT body FROM inbound_callbacks WHERE connection_id = ?", byte[].class, id))
                .isEqualTo(body);
        eventually(() -> "failed".equals(db.queryForObject("SELECT status FROM inbound_callbacks WHERE connection_id = ?",
                String.class, id)), "the unreadable callback is marked failed");
        assertThat(receiver.drain(Duration.ofMillis(500))).isEmpty();
        String callbackId = db.queryForObject("SELECT id FROM inbound_callbacks WHERE connection_id = ?", String.class, id);
        assertThat(output.getAll()).contains("Callback " + callbackId + " could not be normalised and is marked failed");
    }

    /** Posts Hookpost's own email-status callback, signed with the connection's secret. */
    private void emailStatus(JsonNode connection, String json) throws Exception {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        callback(connection.get("inboundPath").asText(), body, Map.of("X-Webhook-Signature",
                "sha256=" + Hmac.hex("HmacSHA256", connection.get("secret").asText(), body)));
    }

    @Test
    void a_bounce_after_the_delivery_is_recorded_and_republished_and_a_late_delivery_does_not_undo_it()
            throws Exception {
        createEndpoint(Map.of("url", receiver.url("/statuses"), "eventTypes", List.of("message.*")));
        JsonNode connection = connect("email-status", Map.of());
        // an asynchronous bounce: the receiving server accepted the message, then bounced it
        emailStatus(connection, "{\"messageId\":\"m-7\",\"event\":\"delivery\"}");
        assertThat(JSON.readTree(receiver.next(WAIT).body()).get("type").asText()).isEqualTo("message.delivered");
        emailStatus(connection, "{\"messageId\":\"m-7\",\"event\":\"bounce\"}");
        assertThat(JSON.readTree(receiver.next(WAIT).body()).get("type").asText()).isEqualTo("message.bounced");
        assertThat(status("email-status", "m-7")).isEqualTo("bounced");

        // the same two arriving the other way round: the bounce stands
        emailStatus(connection, "{\"messageId\":\"m-8\",\"event\":\"bounce\"}");
        assertThat(JSON.readTree(receiver.next(WAIT).body()).get("type").asText()).isEqualTo("message.bounced");
        emailStatus(connection, "{\"messageId\":\"m-8\",\"event\":\"delivery\"}");
        eventually(() -> count("SELECT COUNT(*) FROM inbound_callbacks WHERE connection_id = ? AND status = 'processed'",
                connection.get("id").asText()) == 4, "every callback is normalised");
        assertThat(status("email-status", "m-8")).isEqualTo("bounced");
        assertThat(receiver.drain(Duration.ofMillis(800))).as("a late 'delivered' is not republished").isEmpty();
    }

    @Test
    void statuses_only_move_forward_when_callbacks_arrive_out_of_order() throws Exception {
        createEndpoint(Map.of("url", receiver.url("/statuses"), "eventTypes", List.of("message.*")));
        JsonNode connection = connect("email-status", Map.of());
        emailStatus(connection, "{\"messageId\":\"m-3\",\"event\":\"open\"}");
        assertThat(JSON.readTree(receiver.next(WAIT).body()).get("type").asText()).isEqualTo("message.opened");

        emailStatus(connection, "{\"messageId\":\"m-3\",\"event\":\"delivery\"}");
        eventually(() -> count("SELECT COUNT(*) FROM inbound_callbacks WHERE connection_id = ? AND status = 'processed'",
                connection.get("id").asText()) == 2, "both callbacks are normalised");
        assertThat(status("email-status", "m-3")).isEqualTo("opened");
        assertThat(receiver.drain(Duration.ofMillis(800))).as("a late 'delivered' is not republished").isEmpty();
    }

    @Test
    void a_twilio_form_callback_signed_over_url_and_sorted_params_is_verified_by_the_sdk_and_by_hookpost() throws Exception {
        createEndpoint(Map.of("url", receiver.url("/sms"), "eventTypes", List.of("message.*")));
        String token = "12345abcdef12345abcdef12345abcde";
        JsonNode connection = connect("twilio", Map.of("authToken", token));
        String url = "http://127.0.0.1:" + port + connection.get("inboundPath").asText();
        Map<String, String> params = new TreeMap<>(Map.of("MessageSid", "SM0001", "MessageStatus", "delivered",
                "To", "+15550001111", "From", "+15552223333", "AccountSid", "AC123"));
        StringBuilder signed = new StringBuilder(url);
        params.forEach((k, v) -> signed.append(k).append(v));
        String signature = Base64.getEncoder().encodeToString(
                Hmac.of("HmacSHA1", token, signed.toString().getBytes(StandardCharsets.UTF_8)));
        assertThat(new RequestValidator(token).validate(url, params, signature))
                .as("twilio-java agrees with the test's signature").isTrue();
        StringBuilder form = new StringBuilder();
        params.forEach((k, v) -> form.append(form.length() == 0 ? "" : "&").append(k).append('=')
                .append(java.net.URLEncoder.encode(v, StandardCharsets.UTF_8)));
        byte[] body = form.toString().getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> answer = callback(connection.get("inboundPath").asText(), body,
                Map.of("Content-Type", "application/x-www-form-urlencoded", "X-Twilio-Signature", signature));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode event = JSON.readTree(receiver.next(WAIT).body());
        assertThat(event.get("type").asText()).isEqualTo("message.delivered");
        assertThat(event.get("data").get("messageId").asText()).isEqualTo("SM0001");
        byte[] stored = db.queryForObject("SELECT body FROM inbound_callbacks WHERE connection_id = ?", byte[].class,
                connection.get("id").asText());
        assertThat(stored).isEqualTo(body);
    }

    @Test
    void a_sendgrid_batch_signed_with_ecdsa_becomes_statuses_and_events() throws Exception {
        createEndpoint(Map.of("url", receiver.url("/email"), "eventTypes", List.of("message.*")));
        KeyPair keys = p256();
        JsonNode connection = connectSendGrid(keys);
        byte[] body = ("[{\"email\":\"bo@example.com\",\"timestamp\":1795300000,\"event\":\"processed\","
                + "\"sg_message_id\":\"abc123.filter0001\",\"sg_event_id\":\"e1\"},"
                + "{\"email\":\"bo@example.com\",\"timestamp\":1795300005,\"event\":\"delivered\","
                + "\"sg_message_id\":\"abc123.filter0001\",\"sg_event_id\":\"e2\"}]\r\n").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> answer = callback(connection.get("inboundPath").asText(), body,
                sendgridSigned(keys, body, Instant.now()));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        List<String> types = List.of(JSON.readTree(receiver.next(WAIT).body()).get("type").asText(),
                JSON.readTree(receiver.next(WAIT).body()).get("type").asText());
        assertThat(types).containsExactlyInAnyOrder("message.queued", "message.delivered");
        eventually(() -> "delivered".equals(status("sendgrid", "abc123")), "the status is delivered");

        assertThat(callback(connection.get("inboundPath").asText(), body,
                sendgridSigned(keys, body, Instant.now().minusSeconds(3600))).statusCode()).as("a stale timestamp")
                .isEqualTo(401);
    }

    @Test
    void timestamps_no_callback_means_are_left_out_and_the_rest_of_the_batch_is_recorded() throws Exception {
        createEndpoint(Map.of("url", receiver.url("/email"), "eventTypes", List.of("message.*")));
        KeyPair keys = p256();
        JsonNode connection = connectSendGrid(keys);
        // beyond a long once scaled (redelivered for ever before), wrapping round to 1970, before 1970
        byte[] body = ("[{\"email\":\"ok@example.com\",\"timestamp\":1795300000,\"event\":\"delivered\","
                + "\"sg_message_id\":\"ts-ok.f1\"},"
                + "{\"email\":\"p@example.com\",\"timestamp\":\"1e999999999\",\"event\":\"open\","
                + "\"sg_message_id\":\"ts-huge.f1\"},"
                + "{\"email\":\"p@example.com\",\"timestamp\":1e300,\"event\":\"open\",\"sg_message_id\":\"ts-big.f1\"},"
                + "{\"email\":\"p@example.com\",\"timestamp\":-9.9e18,\"event\":\"open\","
                + "\"sg_message_id\":\"ts-negative.f1\"}]").getBytes(StandardCharsets.UTF_8);
        assertThat(callback(connection.get("inboundPath").asText(), body, sendgridSigned(keys, body, Instant.now()))
                .statusCode()).isEqualTo(200);
        Map<String, JsonNode> byMessage = new TreeMap<>();
        for (int i = 0; i < 4; i++) {
            JsonNode event = JSON.readTree(receiver.next(WAIT).body());
            byMessage.put(event.at("/data/messageId").asText(), event);
        }
        assertThat(byMessage).containsOnlyKeys("ts-ok", "ts-huge", "ts-big", "ts-negative");
        assertThat(byMessage.get("ts-ok").at("/data/occurredAt").asText()).isEqualTo("2026-11-21T22:26:40Z");
        for (String unread : List.of("ts-huge", "ts-big", "ts-negative")) {
            assertThat(byMessage.get(unread).at("/data/occurredAt").isNull()).as(unread).isTrue();
            assertThat(Instant.parse(byMessage.get(unread).get("timestamp").asText()))
                    .as("timed when published").isAfter(Instant.now().minusSeconds(60));
        }
        eventually(() -> "processed".equals(db.queryForObject("SELECT status FROM inbound_callbacks"
                + " WHERE connection_id = ?", String.class, connection.get("id").asText())), "the callback processed");

        // Hookpost's own scheme: a date-time past what an instant holds
        JsonNode own = connect("email-status", Map.of());
        emailStatus(own, "{\"messageId\":\"ts-far\",\"event\":\"delivery\",\"recipient\":\"ana@example.com\","
                + "\"timestamp\":\"+999999999-12-31T23:59:59-18:00\"}");
        JsonNode far = JSON.readTree(receiver.next(WAIT).body());
        assertThat(far.at("/data/messageId").asText()).isEqualTo("ts-far");
        assertThat(far.at("/data/occurredAt").isNull()).isTrue();
    }

    @Test
    void one_send_to_several_recipients_keeps_a_status_per_recipient_so_a_bounce_is_not_lost() throws Exception {
        createEndpoint(Map.of("url", receiver.url("/email"), "eventTypes", List.of("message.*")));
        KeyPair keys = p256();
        JsonNode connection = connectSendGrid(keys);
        // one send (X-Message-Id x9) to two recipients, as SendGrid reports it: sg_message_id is x9 plus a part per recipient
        byte[] body = ("[{\"email\":\"alice@example.com\",\"timestamp\":1795300000,\"event\":\"processed\","
                + "\"sg_message_id\":\"x9.filter0001.1\"},"
                + "{\"email\":\"bob@example.com\",\"timestamp\":1795300000,\"event\":\"processed\","
                + "\"sg_message_id\":\"x9.filter0001.2\"},"
                + "{\"email\":\"alice@example.com\",\"timestamp\":1795300005,\"event\":\"delivered\","
                + "\"sg_message_id\":\"x9.filter0001.1\"},"
                + "{\"email\":\"bob@example.com\",\"timestamp\":1795300006,\"event\":\"bounce\","
                + "\"reason\":\"550 5.1.1 user unknown\",\"sg_message_id\":\"x9.filter0001.2\"}]")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(callback(connection.get("inboundPath").asText(), body, sendgridSigned(keys, body, Instant.now()))
                .statusCode()).isEqualTo(200);

        List<String> seen = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            JsonNode event = JSON.readTree(receiver.next(WAIT).body());
            assertThat(event.get("data").get("messageId").asText()).isEqualTo("x9");
            seen.add(event.get("type").asText() + " " + event.get("data").get("recipient").asText());
        }
        assertThat(seen).containsExactlyInAnyOrder("message.queued alice@example.com", "message.queued bob@example.com",
                "message.delivered alice@example.com", "message.bounced bob@example.com");
        assertThat(receiver.drain(Duration.ofMillis(800))).isEmpty();
        assertThat(db.queryForList("SELECT recipient || ' ' || status FROM message_statuses WHERE account_id = ?"
                + " AND provider_message_id = 'x9'", String.class, account))
                .containsExactlyInAnyOrder("alice@example.com delivered", "bob@example.com bounced");
    }

    @Test
    void an_inbound_parse_email_is_decoded_with_the_charsets_sendgrid_names_and_known_by_its_message_id()
            throws Exception {
        createEndpoint(Map.of("url", receiver.url("/mail"), "eventTypes", List.of("email.*")));
        JsonNode connection = connect("sendgrid-inbound-parse", Map.of("username", "parse", "password", "hunter2-parse"));
        // the fields in the order Inbound Parse posts them: 'charsets' comes after the text it describes
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        java.util.function.BiConsumer<String, byte[]> field = (name, value) -> {
            body.writeBytes(("--xYzZY\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            body.writeBytes(value);
            body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        };
        field.accept("headers", ("Received: by mx.example.com\nMessage-ID: <abc.42@mail.example.com>\n"
                + "Subject: =?ISO-8859-1?Q?Caf=E9?=\n").getBytes(StandardCharsets.US_ASCII));
        field.accept("to", "support@example.com".getBytes(StandardCharsets.US_ASCII));
        field.accept("from", "ana@example.com".getBytes(StandardCharsets.US_ASCII));
        field.accept("text", "Caf\u00e9 cr\u00e8me".getBytes(StandardCharsets.ISO_8859_1));
        field.accept("subject", "Caf\u00e9".getBytes(StandardCharsets.UTF_8));
        field.accept("charsets", "{\"to\":\"UTF-8\",\"from\":\"UTF-8\",\"text\":\"iso-8859-1\",\"subject\":\"UTF-8\"}"
                .getBytes(StandardCharsets.US_ASCII));
        body.writeBytes("--xYzZY--\r\n".getBytes(StandardCharsets.US_ASCII));
        String basic = "Basic " + Base64.getEncoder().encodeToString("parse:hunter2-parse".getBytes(StandardCharsets.UTF_8));

        HttpResponse<String> answer = callback(connection.get("inboundPath").asText(), body.toByteArray(),
                Map.of("Content-Type", "multipart/form-data; boundary=xYzZY", "Authorization", basic));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode email = JSON.readTree(receiver.next(WAIT).body());
        assertThat(email.get("type").asText()).isEqualTo("email.received");
        assertThat(email.get("data").get("text").asText()).isEqualTo("Caf\u00e9 cr\u00e8me");
        assertThat(email.get("data").get("subject").asText()).isEqualTo("Caf\u00e9");
        assertThat(email.get("data").get("messageId").asText()).isEqualTo("<abc.42@mail.example.com>");
    }

    /** A SendGrid Event Webhook connection verifying with the public half of {@code keys}. */
    private JsonNode connectSendGrid(KeyPair keys) {
        return connect("sendgrid", Map.of("publicKey", Base64.getEncoder().encodeToString(keys.getPublic().getEncoded())));
    }

    private static KeyPair p256() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    /** SendGrid's headers on a body it signed at {@code at}. */
    private static Map<String, String> sendgridSigned(KeyPair keys, byte[] body, Instant at) throws Exception {
        String timestamp = String.valueOf(at.getEpochSecond());
        Signature ecdsa = Signature.getInstance("SHA256withECDSA");
        ecdsa.initSign(keys.getPrivate());
        ecdsa.update(timestamp.getBytes(StandardCharsets.UTF_8));
        ecdsa.update(body);
        return Map.of("Content-Type", "application/json",
                "X-Twilio-Email-Event-Webhook-Signature", Base64.getEncoder().encodeToString(ecdsa.sign()),
                "X-Twilio-Email-Event-Webhook-Timestamp", timestamp);
    }

    @Test
    void a_sendgrid_key_that_is_not_p256_gets_a_400_when_saved_and_one_saved_before_refuses_callbacks_with_401()
            throws Exception {
        for (String provider : List.of("sendgrid", "sendgrid-inbound-parse")) {
            assertProblem(operator.post("/api/v1/accounts/" + account + "/providers",
                    Map.of("provider", provider, "credentials", Map.of("publicKey", "not-a-key"))), 400, "publicKey");
        }
        assertThat(count("SELECT COUNT(*) FROM provider_connections WHERE account_id = ?", account)).isZero();

        // a connection saved before keys were checked
        KeyPair keys = p256();
        JsonNode connection = connectSendGrid(keys);
        db.update("UPDATE provider_connections SET credentials = ? WHERE id = ?", "{\"publicKey\":\"not-a-key\"}",
                connection.get("id").asText());
        byte[] body = "[{\"email\":\"bo@example.com\",\"event\":\"delivered\",\"sg_message_id\":\"k1\"}]"
                .getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> answer = callback(connection.get("inboundPath").asText(), body,
                sendgridSigned(keys, body, Instant.now()));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(401);
        assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(callbacks(connection.get("id").asText())).isZero();
    }

    @Test
    void a_status_whose_message_id_is_longer_than_kept_is_left_out_and_the_rest_of_the_batch_is_recorded()
            throws Exception {
        createEndpoint(Map.of("url", receiver.url("/email"), "eventTypes", List.of("message.*")));
        KeyPair keys = p256();
        JsonNode connection = connectSendGrid(keys);
        String tooLong = "L".repeat(301);
        byte[] body = ("[{\"email\":\"bo@example.com\",\"event\":\"delivered\",\"sg_message_id\":\"" + tooLong + "\"},"
                + "{\"email\":\"bo@example.com\",\"event\":\"delivered\",\"sg_message_id\":\"ok-1.filter\"}]")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(callback(connection.get("inboundPath").asText(), body, sendgridSigned(keys, body, Instant.now()))
                .statusCode()).isEqualTo(200);

        JsonNode delivered = JSON.readTree(receiver.next(WAIT).body());
        assertThat(delivered.get("data").get("messageId").asText()).isEqualTo("ok-1");
        eventually(() -> "processed".equals(db.queryForObject("SELECT status FROM inbound_callbacks WHERE connection_id = ?",
                String.class, connection.get("id").asText())), "the callback is processed, not redelivered for ever");
        assertThat(count("SELECT COUNT(*) FROM message_statuses WHERE account_id = ? AND provider = 'sendgrid'", account))
                .isEqualTo(1);
        assertThat(receiver.drain(Duration.ofMillis(500))).isEmpty();
    }

    @Test
    void a_twilio_json_callback_with_a_nested_value_is_verified_and_normalised() throws Exception {
        createEndpoint(Map.of("url", receiver.url("/sms"), "eventTypes", List.of("message.*")));
        String token = "12345abcdef12345abcdef12345abcde";
        JsonNode connection = connect("twilio", Map.of("authToken", token));
        byte[] body = ("{\"MessageSid\":\"SM0002\",\"MessageStatus\":\"delivered\",\"To\":\"+15550001111\","
                + "\"Extra\":{\"a\":1},\"Tags\":[\"x\"]}").getBytes(StandardCharsets.UTF_8);
        String url = "http://127.0.0.1:" + port + connection.get("inboundPath").asText() + "?bodySHA256="
                + HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(body));
        String signature = Base64.getEncoder().encodeToString(
                Hmac.of("HmacSHA1", token, url.getBytes(StandardCharsets.UTF_8)));
        assertThat(new RequestValidator(token).validate(url, new String(body, StandardCharsets.UTF_8), signature))
                .as("Twilio's own SDK accepts the signature").isTrue();

        HttpResponse<String> answer = callback(url.substring(url.indexOf("/inbound/")), body,
                Map.of("Content-Type", "application/json", "X-Twilio-Signature", signature));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode delivered = JSON.readTree(receiver.next(WAIT).body());
        assertThat(delivered.get("type").asText()).isEqualTo("message.delivered");
        assertThat(delivered.get("data").get("messageId").asText()).isEqualTo("SM0002");
        assertThat(status("twilio", "SM0002")).isEqualTo("delivered");
    }

    @Test
    void meta_answers_its_handshake_and_republishes_whatsapp_statuses_and_messages() throws Exception {
        createEndpoint(Map.of("url", receiver.url("/wa"), "eventTypes", List.of("message.*")));
        JsonNode connection = connect("meta", Map.of("appSecret", "meta-app-secret", "verifyToken", "verify-me"));
        String path = connection.get("inboundPath").asText();
        HttpResponse<String> handshake = handshake(path, "hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444");
        assertThat(handshake.statusCode()).isEqualTo(200);
        assertThat(handshake.body()).isEqualTo("1158201444");
        HttpResponse<String> wrongToken = handshake(path, "hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1");
        assertThat(wrongToken.statusCode()).isEqualTo(403);
        assertThat(wrongToken.body()).contains("wrong hub.verify_token");
        HttpResponse<String> unsubscribe = handshake(path, "hub.mode=unsubscribe&hub.verify_token=verify-me&hub.challenge=1");
        assertThat(unsubscribe.statusCode()).isEqualTo(403);
        assertThat(unsubscribe.body()).contains("hub.mode is not subscribe");
        HttpResponse<String> noChallenge = handshake(path, "hub.mode=subscribe&hub.verify_token=verify-me");
        assertThat(noChallenge.statusCode()).isEqualTo(403);
        assertThat(noChallenge.body()).contains("missing hub.challenge");

        byte[] body = ("{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"1\",\"changes\":[{\"field\":\"messages\","
                + "\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{\"display_phone_number\":\"15550000000\"},"
                + "\"statuses\":[{\"id\":\"wamid.A1\",\"status\":\"read\",\"timestamp\":\"1795300000\",\"recipient_id\":\"15551112222\"}],"
                + "\"messages\":[{\"from\":\"15551112222\",\"id\":\"wamid.B2\",\"timestamp\":\"1795300001\",\"type\":\"text\","
                + "\"text\":{\"body\":\"Ol\u00e1!\"}}]}}]}]}").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> answer = callback(path, body, Map.of("Content-Type", "application/json",
                "X-Hub-Signature-256", "sha256=" + Hmac.hex("HmacSHA256", "meta-app-secret", body)));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        Map<String, JsonNode> byType = new LinkedHashMap<>();
        for (int i = 0; i < 2; i++) {
            JsonNode event = JSON.readTree(receiver.next(WAIT).body());
            byType.put(event.get("type").asText(), event);
        }
        assertThat(byType).containsKeys("message.read", "message.received");
        assertThat(byType.get("message.received").get("data").get("text").asText()).isEqualTo("Ol\u00e1!");
    }

    @Test
    void the_inbound_queue_never_drops_a_callback_whose_normalisation_failed(
            @Autowired org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ broker) {
        // Artemis's default gives up after 10 failed deliveries, at once, and drops the message: a database blip
        // while normalising would leave a verified callback unnormalised for good
        var settings = broker.getActiveMQServer().getAddressSettingsRepository().getMatch("hookpost.inbound");
        assertThat(settings.getMaxDeliveryAttempts()).isEqualTo(-1);
        assertThat(settings.getRedeliveryDelay()).isEqualTo(1000);
        assertThat(settings.getMaxRedeliveryDelay()).isEqualTo(60_000);
    }
}

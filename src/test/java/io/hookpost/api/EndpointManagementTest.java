package io.hookpost.api;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import io.hookpost.outbound.WebhookSigner;
import io.hookpost.support.Api;
import io.hookpost.support.Hmac;
import io.hookpost.support.HookpostTest;
import io.hookpost.support.TestReceiver.Received;
import io.hookpost.support.TestReceiver.Reply;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The account admin's side of the API: change, test, inspect, rotate, and account keys. */
class EndpointManagementTest extends HookpostTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private String endpoints() {
        return "/api/v1/accounts/" + account + "/endpoints";
    }

    /** A header from a recorded header object; names are case-insensitive, as in HTTP. */
    private static String header(JsonNode headers, String name) {
        for (var fields = headers.fields(); fields.hasNext(); ) {
            var field = fields.next();
            if (field.getKey().equalsIgnoreCase(name)) {
                return field.getValue().asText();
            }
        }
        return null;
    }

    private static Map<String, List<String>> headersOf(Received received) {
        return new HashMap<>(received.headers());
    }

    @Test
    void the_most_custom_headers_the_api_takes_are_stored_and_shown() {
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            headers.put(("X-Custom-" + i + "-").repeat(10).substring(0, 100), Character.toString('a' + i).repeat(1000));
        }
        JsonNode created = createEndpoint(Map.of("url", receiver.url("/many-headers"), "headers", headers));
        JsonNode shown = operator.get("/api/v1/accounts/" + account + "/endpoints/" + created.get("id").asText()).json()
                .get("headers");
        assertThat(shown.size()).isEqualTo(20);
        headers.forEach((name, value) -> assertThat(shown.get(name).asText()).as(name).isEqualTo(value));
    }

    @Test
    void patch_changes_only_the_fields_sent_and_null_restores_a_default() {
        JsonNode created = createEndpoint(Map.of("url", receiver.url("/a"), "eventTypes", List.of("host.offline"),
                "description", "first", "retrySchedule", List.of("1s", "1m"), "headers", Map.of("X-Tenant", "t1"),
                "rateLimit", 50));
        String id = created.get("id").asText();
        assertThat(created.get("rateLimit").asInt()).isEqualTo(50);

        Api.Response patched = operator.patch(endpoints() + "/" + id, Map.of("url", receiver.url("/b"),
                "eventTypes", List.of("host.*", "agent.online"), "signatureScheme", "hmac-sha256-hex",
                "signatureHeader", "X-Hyprwatch-Signature"));
        assertThat(patched.status()).as(patched.text()).isEqualTo(200);
        JsonNode view = patched.json();
        assertThat(view.get("url").asText()).isEqualTo(receiver.url("/b"));
        assertThat(view.get("eventTypes")).extracting(JsonNode::asText).containsExactly("agent.online", "host.*");
        assertThat(view.get("signatureHeader").asText()).isEqualTo("X-Hyprwatch-Signature");
        assertThat(view.get("description").asText()).isEqualTo("first");
        assertThat(view.get("headers").get("X-Tenant").asText()).isEqualTo("t1");
        assertThat(view.get("rateLimit").asInt()).isEqualTo(50);
        assertThat(view.has("secret")).as("the secret is shown on creation and by GET …/secret only").isFalse();
        // delays kept in one spelling, as the default schedule's ("1H" and "01s" were shown back as sent)
        Api.Response spelt = operator.patch(endpoints() + "/" + id, Map.of("retrySchedule", List.of("01s", "1H", "250MS")));
        assertThat(spelt.json().get("retrySchedule")).as(spelt.text()).extracting(JsonNode::asText)
                .containsExactly("1s", "1h", "250ms");

        Map<String, Object> reset = new HashMap<>();
        reset.put("description", null);
        reset.put("retrySchedule", null);
        reset.put("headers", null);
        reset.put("signatureHeader", null);
        reset.put("disableAfterFailures", null);
        reset.put("filter", null);
        reset.put("rateLimit", null);
        JsonNode cleared = operator.patch(endpoints() + "/" + id, reset).json();
        assertThat(cleared.get("description").isNull()).isTrue();
        assertThat(cleared.get("retrySchedule").isNull()).isTrue();
        assertThat(cleared.get("headers").size()).isZero();
        assertThat(cleared.get("signatureHeader").asText()).as("the scheme's default header").isEqualTo("X-Webhook-Signature");
        assertThat(cleared.path("filter").isMissingNode() || cleared.get("filter").isNull()).isTrue();
        assertThat(cleared.get("rateLimit").isNull()).as("no rate limit").isTrue();
        assertThat(db.queryForObject("SELECT rate_limit FROM endpoints WHERE id = ?", Integer.class, id)).isNull();
        assertThat(db.queryForObject("SELECT url FROM endpoints WHERE id = ?", String.class, id))
                .isEqualTo(receiver.url("/b"));
    }

    @Test
    void metadata_is_shown_back_replaced_by_a_patch_removed_by_null_and_never_sent_to_the_receiver() throws Exception {
        JsonNode created = createEndpoint(Map.of("url", receiver.url("/tagged"),
                "metadata", Map.of("crmId", "acc-42", "integration", "SIEM connector")));
        String id = created.get("id").asText();
        String path = endpoints() + "/" + id;
        assertThat(created.get("metadata")).isEqualTo(JSON.valueToTree(
                Map.of("crmId", "acc-42", "integration", "SIEM connector")));
        assertThat(operator.get(path).json().get("metadata").get("crmId").asText()).isEqualTo("acc-42");
        assertThat(operator.get(endpoints()).json().get(0).get("metadata").get("integration").asText())
                .isEqualTo("SIEM connector");

        publish(Map.of("type", "host.offline", "data", Map.of("n", 1)));
        Received post = receiver.next(WAIT);
        assertThat(post.bodyText()).doesNotContain("acc-42");
        assertThat(post.headers().toString()).doesNotContain("acc-42").doesNotContain("crmId");

        assertThat(operator.patch(path, Map.of("description", "kept")).json().get("metadata").size())
                .as("a patch without metadata keeps it").isEqualTo(2);
        JsonNode replaced = operator.patch(path, Map.of("metadata", Map.of("team", "ops"))).json();
        assertThat(replaced.get("metadata")).as("a patch's object replaces every pair")
                .isEqualTo(JSON.valueToTree(Map.of("team", "ops")));
        assertThat(db.queryForObject("SELECT metadata FROM endpoints WHERE id = ?", String.class, id))
                .isEqualTo("{\"team\":\"ops\"}");

        Map<String, Object> before = db.queryForMap("SELECT * FROM endpoints WHERE id = ?", id);
        Map<String, String> tooMany = new java.util.TreeMap<>();
        java.util.stream.IntStream.range(0, 51).forEach(i -> tooMany.put("k" + i, "v"));
        assertProblem(operator.patch(path, Map.of("metadata", tooMany)), 400, "at most 50 keys");
        assertProblem(operator.patch(path, Map.of("metadata", Map.of("", "v"))), 400, "keys are 1 to 100 characters");
        assertProblem(operator.patch(path, Map.of("metadata", Map.of("k".repeat(101), "v"))), 400, "keys are 1 to 100");
        assertProblem(operator.patch(path, Map.of("metadata", Map.of("k\n", "v"))), 400, "without control characters");
        assertProblem(operator.patch(path, Map.of("metadata", Map.of("k", "v".repeat(1001)))), 400,
                "'metadata' value of 'k' must be text of at most 1000 characters");
        // half a surrogate pair is no character (and not storable as UTF-8)
        assertProblem(operator.patch(path, Map.of("metadata", Map.of("k", "\uD800"))), 400, "'metadata' value of 'k'");
        assertProblem(operator.patch(path, Map.of("metadata", Map.of("\uDC00", "v"))), 400, "'metadata' keys");
        assertProblem(operator.patch(path, Map.of("metadata", Map.of("k", 5))), 400, "metadata");
        assertProblem(operator.patch(path, Map.of("metadata", Map.of("k", Map.of("nested", "v")))), 400, "metadata");
        assertProblem(operator.patch(path, Map.of("metadata", "crm")), 400, "metadata");
        Map<String, Object> nullValue = new HashMap<>();
        nullValue.put("k", null);
        assertProblem(operator.patch(path, Map.of("metadata", nullValue)), 400,
                "'metadata' value of 'k' must be a string");
        assertThat(db.queryForMap("SELECT * FROM endpoints WHERE id = ?", id)).as("nothing changed").isEqualTo(before);

        // characters, not UTF-16 units: 100 emoji make a key of 100 characters
        String emoji = "\uD83D\uDE00";
        Map<String, String> wide = Map.of(emoji.repeat(100), emoji.repeat(1000));
        assertThat(operator.patch(path, Map.of("metadata", wide)).json().get("metadata"))
                .isEqualTo(JSON.valueToTree(wide));
        assertProblem(operator.patch(path, Map.of("metadata", Map.of(emoji.repeat(101), "v"))), 400, "'metadata' keys");

        Map<String, Object> remove = new HashMap<>();
        remove.put("metadata", null);
        assertThat(operator.patch(path, remove).json().get("metadata").size()).isZero();
        assertThat(db.queryForObject("SELECT metadata FROM endpoints WHERE id = ?", String.class, id)).isNull();
        assertThat(createEndpoint(Map.of("url", receiver.url("/plain"))).get("metadata").size())
                .as("none given: {}").isZero();
    }

    @Test
    void an_endpoint_subscribed_to_nothing_in_particular_gets_every_event_of_its_account() throws Exception {
        JsonNode all = createEndpoint(Map.of("url", receiver.url("/all")));
        assertThat(all.get("eventTypes")).extracting(JsonNode::asText).containsExactly("*");
        String id = all.get("id").asText();
        operator.post("/api/v1/accounts/" + account + "/events", Map.of("type", "anything.at.all", "data", Map.of()));
        assertThat(receiver.next(WAIT).header("X-Webhook-Event")).isEqualTo("anything.at.all");

        operator.patch(endpoints() + "/" + id, Map.of("eventTypes", List.of("host.offline")));
        Api.Response emptied = operator.patch(endpoints() + "/" + id, Map.of("eventTypes", List.of()));
        assertThat(emptied.json().get("eventTypes")).extracting(JsonNode::asText).containsExactly("*");
    }

    @Test
    void patch_refuses_bad_values_and_changes_nothing() {
        String id = createEndpoint(Map.of("url", receiver.url("/a"), "eventTypes", List.of("host.*"))).get("id").asText();
        String path = endpoints() + "/" + id;
        Map<String, Object> before = db.queryForMap("SELECT * FROM endpoints WHERE id = ?", id);

        assertProblem(operator.patch(path, Map.of("url", "https://169.254.169.254/latest")), 422, "not allowed");
        assertProblem(operator.patch(path, Map.of("secret", WebhookSigner.newSecret())), 400, "rotate-secret");
        assertProblem(operator.patch(path, Map.of("eventTypes", List.of("no spaces"))), 400, "eventTypes");
        List<String> many = java.util.stream.IntStream.range(0, 101).mapToObj(i -> "type" + i).toList();
        assertProblem(operator.patch(path, Map.of("eventTypes", many)), 400, "at most 100");
        assertProblem(operator.patch(path, Map.of("categories", many)), 400, "at most 100");
        assertProblem(operator.patch(path, Map.of("headers", Map.of("User-Agent", "x"))), 400, "Hookpost sets it");
        assertProblem(operator.patch(path, Map.of("rateLimit", 0)), 400, "'rateLimit' (attempts a second) must be");
        assertProblem(operator.patch(path, Map.of("rateLimit", 65_536)), 400, "between 1 and 65535");
        assertProblem(operator.patch(path, Map.of("rateLimit", 2.5)), 400, "rateLimit");
        // the wire would carry 'v??' while the attempt showed the emoji
        assertProblem(operator.patch(path, Map.of("headers", Map.of("X-U", "v\uD83D\uDE00"))), 400, "ASCII characters only");
        assertProblem(operator.patch(path, Map.of("headers", Map.of("X-U", "caf\u00e9"))), 400, "ASCII characters only");
        // both were saved; the receiver got one of them
        assertProblem(operator.patch(path, Map.of("headers", new java.util.TreeMap<>(Map.of("X-Tenant", "a", "x-tenant", "b")))),
                400, "names 'x-tenant' twice");
        assertProblem(operator.patch(path, Map.of("active", "yes")), 400, "");
        assertProblem(operator.patch(path, Map.of("colour", "blue")), 400, "colour");
        assertProblem(operator.patch(endpoints() + "/ep_nope", Map.of("description", "x")), 404, "No endpoint");
        assertProblem(operator.patch(path, Map.of("url", "https://example.com:99999/hook")), 422, "not a TCP port");
        assertProblem(operator.post(path + "/recover", Map.of("since", "2999-01-01T00:00:00Z")), 400,
                "'since' must be in the past");
        for (String list : List.of("eventTypes", "categories")) {
            Map<String, Object> widen = new java.util.HashMap<>();
            widen.put(list, null);
            assertProblem(operator.patch(path, widen), 400, "'" + list + "' must be a list");
        }
        for (String reserved : List.of("Content-Type", "Host", "Content-Length", "webhook-id", "X-Webhook-Event")) {
            assertProblem(operator.patch(path, Map.of("signatureScheme", "hmac-sha256-hex", "signatureHeader", reserved)),
                    400, "Hookpost sets it");
        }

        assertThat(db.queryForMap("SELECT * FROM endpoints WHERE id = ?", id)).isEqualTo(before);
        assertThat(db.queryForList("SELECT pattern FROM endpoint_event_types WHERE endpoint_id = ?", String.class, id))
                .containsExactly("host.*");
        assertThat(operator.patch(path, Map.of("eventTypes", many.subList(0, 100))).status()).isEqualTo(200);
    }

    @Test
    void an_endpoint_paused_by_patch_holds_its_deliveries_and_gets_them_after_it_is_resumed() throws Exception {
        String id = createEndpoint(Map.of("url", receiver.url("/paused"))).get("id").asText();
        JsonNode paused = operator.patch(endpoints() + "/" + id, Map.of("active", false)).json();
        assertThat(paused.get("active").asBoolean()).isFalse();
        assertThat(paused.get("disabledReason").asText()).contains("API");

        String eventId = publish(Map.of("type", "host.offline", "data", Map.of("n", 1)));
        eventually(() -> "held".equals(deliveriesOf(eventId).get(0).get("status")), "the delivery is held");
        assertThat(receiver.drain(Duration.ofMillis(300))).isEmpty();

        assertThat(operator.patch(endpoints() + "/" + id, Map.of("active", true)).json().get("active").asBoolean()).isTrue();
        Api.Response recovered = operator.post(endpoints() + "/" + id + "/recover", Map.of("since", "2020-01-01T00:00:00Z"));
        assertThat(recovered.json().get("recovered").asInt()).isEqualTo(1);
        assertThat(receiver.next(WAIT).header("webhook-id")).isEqualTo(deliveriesOf(eventId).get(0).get("id"));
    }

    @Test
    void the_secret_is_revealed_and_rotation_without_grace_invalidates_the_old_one_at_once() throws Exception {
        JsonNode created = createEndpoint(Map.of("url", receiver.url("/rotate")));
        String id = created.get("id").asText();
        String original = created.get("secret").asText();
        assertThat(operator.get(endpoints() + "/" + id + "/secret").json().get("secret").asText()).isEqualTo(original);

        JsonNode rotated = operator.post(endpoints() + "/" + id + "/rotate-secret", Map.of()).json();
        String fresh = rotated.get("secret").asText();
        assertThat(fresh).startsWith("whsec_").isNotEqualTo(original);
        assertThat(rotated.get("previousSecretExpiresAt").isNull()).isTrue();

        publish(Map.of("type", "host.offline", "data", Map.of()));
        Received post = receiver.next(WAIT);
        assertThat(post.header("webhook-signature").split(" ")).hasSize(1);
        assertThatNoException().isThrownBy(() -> new Webhook(fresh).verify(post.bodyText(), headersOf(post)));
        assertThatThrownBy(() -> new Webhook(original).verify(post.bodyText(), headersOf(post)))
                .hasMessageContaining("No matching signature");
    }

    @Test
    void a_second_rotation_during_a_grace_period_keeps_the_first_old_secret_until_its_own_grace_period_ends()
            throws Exception {
        JsonNode created = createEndpoint(Map.of("url", receiver.url("/twice")));
        String path = endpoints() + "/" + created.get("id").asText();
        String first = created.get("secret").asText();
        JsonNode firstRotation = operator.post(path + "/rotate-secret", Map.of("gracePeriodSeconds", 3600)).json();
        String second = firstRotation.get("secret").asText();
        JsonNode secondRotation = operator.post(path + "/rotate-secret", Map.of("gracePeriodSeconds", 60)).json();
        String third = secondRotation.get("secret").asText();
        // the last of the old secrets stops signing when the first rotation said
        assertThat(secondRotation.get("previousSecretExpiresAt").asText())
                .isEqualTo(firstRotation.get("previousSecretExpiresAt").asText());

        publish(Map.of("type", "host.offline", "data", Map.of()));
        Received post = receiver.next(WAIT);
        assertThat(post.header("webhook-signature").split(" ")).hasSize(3);
        for (String secret : List.of(third, second, first)) {
            assertThatNoException().isThrownBy(() -> new Webhook(secret).verify(post.bodyText(), headersOf(post)));
        }

        // a rotation without grace ends every old secret at once
        String fourth = operator.post(path + "/rotate-secret", Map.of()).json().get("secret").asText();
        publish(Map.of("type", "host.offline", "data", Map.of()));
        Received after = receiver.next(WAIT);
        assertThat(after.header("webhook-signature").split(" ")).hasSize(1);
        assertThatNoException().isThrownBy(() -> new Webhook(fourth).verify(after.bodyText(), headersOf(after)));
    }

    @Test
    void secrets_an_older_hookpost_left_in_an_endpoints_row_sign_only_as_the_secret_view_says() throws Exception {
        JsonNode standard = createEndpoint(Map.of("url", receiver.url("/std-old")));
        String path = endpoints() + "/" + standard.get("id").asText();
        String first = standard.get("secret").asText();
        operator.post(path + "/rotate-secret", Map.of("gracePeriodSeconds", 3600));
        operator.post(path + "/rotate-secret", Map.of("gracePeriodSeconds", 3600));
        // a rotation without grace by a Hookpost from before older_secrets (V8): it clears only the previous secret
        String current = "whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[32]);
        db.update("UPDATE endpoints SET secret = ?, previous_secret = NULL, previous_secret_expires_at = NULL"
                + " WHERE id = ?", current, standard.get("id").asText());
        // an hmac endpoint rotated with a grace period before that was refused for one-signature schemes
        JsonNode hex = createEndpoint(Map.of("url", receiver.url("/hex-old"), "signatureScheme", "hmac-sha256-hex",
                "signatureHeader", "X-Hub-Signature-256"));
        String hexSecret = hex.get("secret").asText();
        db.update("UPDATE endpoints SET previous_secret = ?, previous_secret_expires_at = ? WHERE id = ?",
                "replaced-secret", java.time.OffsetDateTime.now().plusHours(1), hex.get("id").asText());

        assertThat(operator.get(path + "/secret").json().get("previousSecretExpiresAt").isNull()).isTrue();
        assertThat(operator.get(endpoints() + "/" + hex.get("id").asText() + "/secret").json()
                .get("previousSecretExpiresAt").isNull()).isTrue();
        publish(Map.of("type", "host.offline", "data", Map.of()));
        Map<String, Received> byPath = new HashMap<>();
        for (int i = 0; i < 2; i++) {
            Received r = receiver.next(WAIT);
            byPath.put(r.path(), r);
        }
        Received std = byPath.get("/std-old");
        assertThat(std.header("webhook-signature").split(" ")).as("the ended secrets do not sign again").hasSize(1);
        assertThatNoException().isThrownBy(() -> new Webhook(current).verify(std.bodyText(), headersOf(std)));
        assertThatThrownBy(() -> new Webhook(first).verify(std.bodyText(), headersOf(std)))
                .hasMessageContaining("No matching signature");
        Received hexPost = byPath.get("/hex-old");
        assertThat(hexPost.header("X-Hub-Signature-256")).isEqualTo(WebhookSigner.hex(hexSecret, hexPost.body()));
    }

    @Test
    void during_a_grace_period_both_secrets_sign_every_post_and_a_one_signature_scheme_refuses_one() throws Exception {
        JsonNode standard = createEndpoint(Map.of("url", receiver.url("/std")));
        JsonNode hex = createEndpoint(Map.of("url", receiver.url("/hex"), "signatureScheme", "hmac-sha256-hex",
                "signatureHeader", "X-Hub-Signature-256"));
        String oldStandard = standard.get("secret").asText();
        String hexSecret = hex.get("secret").asText();
        JsonNode standardRotation = operator.post(endpoints() + "/" + standard.get("id").asText() + "/rotate-secret",
                Map.of("gracePeriodSeconds", 3600)).json();
        assertThat(standardRotation.get("previousSecretExpiresAt").asText()).isNotEmpty();
        String newStandard = standardRotation.get("secret").asText();
        // two comma-separated values, compared whole by the receiver: neither secret's verified
        assertProblem(operator.post(endpoints() + "/" + hex.get("id").asText() + "/rotate-secret",
                Map.of("gracePeriodSeconds", 3600)), 400, "must be 0 for hmac-sha256-hex");

        publish(Map.of("type", "host.offline", "data", Map.of("x", 1)));
        Map<String, Received> byPath = new HashMap<>();
        for (int i = 0; i < 2; i++) {
            Received r = receiver.next(WAIT);
            byPath.put(r.path(), r);
        }
        Received std = byPath.get("/std");
        assertThatNoException().isThrownBy(() -> new Webhook(newStandard).verify(std.bodyText(), headersOf(std)));
        assertThatNoException().isThrownBy(() -> new Webhook(oldStandard).verify(std.bodyText(), headersOf(std)));
        Received hexPost = byPath.get("/hex");
        assertThat(hexPost.header("X-Hub-Signature-256")).isEqualTo(WebhookSigner.hex(hexSecret, hexPost.body()));
    }

    @Test
    void a_change_to_another_signature_scheme_ends_the_old_secrets_grace_periods_for_good() throws Exception {
        JsonNode created = createEndpoint(Map.of("url", receiver.url("/scheme-change")));
        String path = endpoints() + "/" + created.get("id").asText();
        String old = created.get("secret").asText();
        String current = operator.post(path + "/rotate-secret", Map.of("gracePeriodSeconds", 3600)).json()
                .get("secret").asText();

        assertThat(operator.patch(path, Map.of("signatureScheme", "hmac-sha256-hex")).status()).isEqualTo(200);
        assertThat(operator.patch(path, Map.of("signatureScheme", "standard-webhooks")).status()).isEqualTo(200);

        assertThat(operator.get(path + "/secret").json().get("previousSecretExpiresAt").isNull()).isTrue();
        publish(Map.of("type", "host.offline", "data", Map.of("x", 1)));
        Received post = receiver.next(WAIT);
        assertThat(post.header("webhook-signature").split(" ")).as("the current secret's signature alone").hasSize(1);
        assertThatNoException().isThrownBy(() -> new Webhook(current).verify(post.bodyText(), headersOf(post)));
        assertThatThrownBy(() -> new Webhook(old).verify(post.bodyText(), headersOf(post)))
                .isInstanceOf(WebhookVerificationException.class);
    }

    @Test
    void an_endpoint_with_the_event_envelope_gets_the_type_under_event_signed_as_sent_and_its_attempts_show_that_body()
            throws Exception {
        JsonNode shaped = createEndpoint(Map.of("url", receiver.url("/event-shape"), "envelope", "event",
                "signatureScheme", "hmac-sha256-hex", "signatureHeader", "X-Hyprwatch-Signature"));
        createEndpoint(Map.of("url", receiver.url("/standard")));
        assertThat(shaped.get("envelope").asText()).isEqualTo("event");

        publish("{\"id\":\"evt-shape\",\"type\":\"host.offline\",\"timestamp\":\"2026-01-31T12:00:00Z\","
                + "\"data\":{\"load\":1.10,\"host\":\"h\u00e9llo \u2713\"}}");

        Map<String, Received> byPath = new HashMap<>();
        for (int i = 0; i < 2; i++) {
            Received post = receiver.next(WAIT);
            byPath.put(post.path(), post);
        }
        Received event = byPath.get("/event-shape");
        assertThat(event.bodyText()).isEqualTo("{\"id\":\"evt-shape\",\"event\":\"host.offline\","
                + "\"timestamp\":\"2026-01-31T12:00:00Z\",\"data\":{\"load\":1.10,\"host\":\"h\u00e9llo \u2713\"}}");
        assertThat(event.header("X-Hyprwatch-Signature"))
                .isEqualTo("sha256=" + Hmac.hex("HmacSHA256", shaped.get("secret").asText(), event.body()));
        assertThat(event.header("X-Webhook-Event")).isEqualTo("host.offline");
        assertThat(byPath.get("/standard").bodyText()).startsWith("{\"id\":\"evt-shape\",\"type\":\"host.offline\",");
        String id = shaped.get("id").asText();
        eventually(() -> operator.get(endpoints() + "/" + id + "/attempts").json().get("data").size() == 1,
                "the attempt is listed");
        assertThat(operator.get(endpoints() + "/" + id + "/attempts").json().at("/data/0/requestBody").asText())
                .isEqualTo(event.bodyText());

        assertProblem(operator.patch(endpoints() + "/" + id, Map.of("envelope", "xml")), 400, "'envelope' must be");
        Map<String, Object> reset = new HashMap<>();
        reset.put("envelope", null);
        assertThat(operator.patch(endpoints() + "/" + id, reset).json().get("envelope").asText()).isEqualTo("standard");
    }

    @Test
    void a_delivery_keeps_its_body_byte_for_byte_when_the_endpoints_envelope_changes_between_attempts()
            throws Exception {
        java.util.concurrent.atomic.AtomicInteger posts = new java.util.concurrent.atomic.AtomicInteger();
        receiver.answer(r -> posts.incrementAndGet() == 1 ? Reply.status(500) : Reply.ok());
        String id = createEndpoint(Map.of("url", receiver.url("/reshaped"), "retrySchedule", List.of("2s")))
                .get("id").asText();
        publish(Map.of("type", "host.offline", "data", Map.of("host", "h")));
        Received first = receiver.next(WAIT);
        assertThat(operator.patch(endpoints() + "/" + id, Map.of("envelope", "event")).status()).isEqualTo(200);

        Received second = receiver.next(WAIT);
        assertThat(second.header("webhook-id")).isEqualTo(first.header("webhook-id"));
        assertThat(second.bodyText()).as("the retry's body").isEqualTo(first.bodyText()).contains("\"type\":");
        publish(Map.of("type", "host.offline", "data", Map.of("host", "later")));
        assertThat(receiver.next(WAIT).bodyText()).as("a new event's body").contains("\"event\":\"host.offline\"");
    }

    @Test
    void a_test_event_goes_to_that_endpoint_only_and_its_attempt_is_logged_as_a_test() throws Exception {
        String tested = createEndpoint(Map.of("url", receiver.url("/tested"))).get("id").asText();
        createEndpoint(Map.of("url", receiver.url("/other")));

        Api.Response sent = operator.post(endpoints() + "/" + tested + "/test", Map.of());
        assertThat(sent.status()).as(sent.text()).isEqualTo(202);
        Received post = receiver.next(WAIT);
        assertThat(post.path()).isEqualTo("/tested");
        JsonNode body = JSON.readTree(post.body());
        assertThat(body.get("type").asText()).isEqualTo("webhook.test");
        assertThat(body.get("id").asText()).isEqualTo(sent.json().get("eventId").asText());
        assertThat(post.header("webhook-id")).isEqualTo(sent.json().get("deliveryId").asText());
        assertThat(receiver.drain(Duration.ofMillis(500))).as("the other endpoint gets nothing").isEmpty();

        eventually(() -> operator.get(endpoints() + "/" + tested + "/attempts").json().get("data").size() == 1,
                "the attempt is listed");
        JsonNode attempt = operator.get(endpoints() + "/" + tested + "/attempts").json().get("data").get(0);
        assertThat(attempt.get("trigger").asText()).isEqualTo("test");
        assertThat(attempt.get("requestBody").asText()).isEqualTo(post.bodyText());
        // stamped to the microsecond, as other events are: the receiver and the API show one time
        Api.Response event = operator.get("/api/v1/accounts/" + account + "/events/" + body.get("id").asText());
        assertThat(event.json().get("timestamp").asText()).isEqualTo(body.get("timestamp").asText());
    }

    @Test
    void a_test_of_a_catalog_type_sends_its_example_or_the_data_given_whatever_the_endpoint_subscribes_to()
            throws Exception {
        String type = account + ".host.offline";
        Api.Response catalogued = operator.post("/api/v1/event-types", "{\"name\":\"" + type + "\",\"schema\":"
                + "{\"type\":\"object\",\"required\":[\"host\"]},\"example\":{\"host\":\"web-1\","
                + "\"load\":0.10000000000000000001}}");
        assertThat(catalogued.status()).as(catalogued.text()).isEqualTo(201);
        JsonNode endpoint = createEndpoint(Map.of("url", receiver.url("/tested"), "eventTypes", List.of("other.*")));
        String tested = endpoints() + "/" + endpoint.get("id").asText();
        createEndpoint(Map.of("url", receiver.url("/other")));

        Api.Response example = operator.post(tested + "/test", Map.of("type", type));
        assertThat(example.status()).as(example.text()).isEqualTo(202);
        assertThat(example.json().get("type").asText()).isEqualTo(type);
        Received post = receiver.next(WAIT);
        assertThat(post.path()).isEqualTo("/tested");
        assertThat(post.header("X-Webhook-Event")).isEqualTo(type);
        assertThat(post.header("webhook-id")).isEqualTo(example.json().get("deliveryId").asText());
        // the example's numbers as the catalog holds them, signed as every delivery
        assertThat(post.bodyText()).startsWith("{\"id\":\"" + example.json().get("eventId").asText() + "\",\"type\":\""
                + type + "\",\"timestamp\":").endsWith(",\"data\":{\"host\":\"web-1\",\"load\":0.10000000000000000001}}");
        assertThatNoException().isThrownBy(() -> new Webhook(endpoint.get("secret").asText())
                .verify(post.bodyText(), headersOf(post)));

        Api.Response given = operator.post(tested + "/test", "{\"type\":\"" + type + "\",\"data\":{\"host\":\"db-2\","
                + "\"n\":12345678901234567890}}");
        assertThat(given.status()).as(given.text()).isEqualTo(202);
        assertThat(receiver.next(WAIT).bodyText()).endsWith("\"data\":{\"host\":\"db-2\",\"n\":12345678901234567890}}");
        // a type outside the catalog is sent with the data given
        assertThat(operator.post(tested + "/test", Map.of("type", "order.paid", "data", Map.of("order", 1))).status())
                .isEqualTo(202);
        Received uncatalogued = receiver.next(WAIT);
        assertThat(uncatalogued.header("X-Webhook-Event")).isEqualTo("order.paid");
        assertThat(uncatalogued.bodyText()).endsWith("\"data\":{\"order\":1}}");
        // data alone: a webhook.test event carrying it
        assertThat(operator.post(tested + "/test", Map.of("data", Map.of("hello", "there"))).status()).isEqualTo(202);
        Received plain = receiver.next(WAIT);
        assertThat(plain.header("X-Webhook-Event")).isEqualTo("webhook.test");
        assertThat(plain.bodyText()).endsWith("\"data\":{\"hello\":\"there\"}}");

        int events = count("SELECT COUNT(*) FROM events WHERE account_id = ?", account);
        int deliveries = count("SELECT COUNT(*) FROM deliveries WHERE account_id = ?", account);
        assertProblem(operator.post(tested + "/test", Map.of("type", type, "data", Map.of("hostname", "x"))), 422,
                "'data' does not match the schema of event type '" + type + "'");
        assertThat(operator.post("/api/v1/event-types", Map.of("name", account + ".bare")).status()).isEqualTo(201);
        assertProblem(operator.post(tested + "/test", Map.of("type", account + ".bare")), 400,
                "has no example in the catalog");
        assertProblem(operator.post(tested + "/test", Map.of("type", "order.refunded")), 400,
                "has no entry in the catalog");
        assertProblem(operator.post(tested + "/test", Map.of("type", "order refunded", "data", Map.of())), 400,
                "'type' is letters");
        // a wildcard is no type: said so, not that the catalog lacks it (which sent the admin to add data in vain)
        assertProblem(operator.post(tested + "/test", Map.of("type", "order.*")), 400, "'type' is letters");
        assertProblem(operator.post(tested + "/test", Map.of("type", type, "data", List.of())), 400,
                "'data' must be a JSON object");
        assertProblem(operator.post(tested + "/test", Map.of("kind", type)), 400, "kind");
        assertProblem(operator.post(tested + "/test", Map.of("data", Map.of("big", "x".repeat(270_000)))), 413,
                "The event is");
        assertThat(count("SELECT COUNT(*) FROM events WHERE account_id = ?", account)).isEqualTo(events);
        assertThat(count("SELECT COUNT(*) FROM deliveries WHERE account_id = ?", account)).isEqualTo(deliveries);
        assertThat(receiver.drain(Duration.ofMillis(500))).as("nothing else sent, and nothing to /other").isEmpty();

        // the account's events list them as tests, by type
        JsonNode listed = operator.get("/api/v1/accounts/" + account + "/events?type=" + type).json().get("data");
        assertThat(listed).hasSize(2);
        assertThat(listed.get(0).get("source").asText()).isEqualTo("test");
    }

    @Test
    void attempts_are_listed_newest_first_with_request_and_response_and_paged_by_cursor() throws Exception {
        receiver.answer(r -> new Reply(500, Map.of("X-Trace", "t-" + r.header("webhook-id")),
                "boom".getBytes(StandardCharsets.UTF_8)));
        String id = createEndpoint(Map.of("url", receiver.url("/failing"), "retrySchedule", List.of("1h"))).get("id").asText();
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            events.add(publish(Map.of("id", "evt-page-" + i, "type", "host.offline", "data", Map.of("n", i))));
            receiver.next(WAIT); // one at a time, so the attempts' order is the events' order
            String eventId = events.get(i);
            eventually(() -> count("SELECT COUNT(*) FROM attempts a JOIN deliveries d ON d.id = a.delivery_id"
                    + " WHERE d.account_id = ? AND d.event_id = ?", account, eventId) == 1, "attempt recorded");
        }

        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Api.Response page = operator.get(endpoints() + "/" + id + "/attempts?limit=2"
                    + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(page.status()).as(page.text()).isEqualTo(200);
            for (JsonNode attempt : page.json().get("data")) {
                seen.add(attempt.get("eventId").asText());
                assertThat(attempt.get("responseStatus").asInt()).isEqualTo(500);
                assertThat(attempt.get("responseBody").asText()).isEqualTo("boom");
                assertThat(header(attempt.get("responseHeaders"), "X-Trace")).startsWith("t-msg_");
                assertThat(header(attempt.get("requestHeaders"), "webhook-signature")).startsWith("v1,");
                assertThat(JSON.readTree(attempt.get("requestBody").asText()).get("id").asText())
                        .isEqualTo(attempt.get("eventId").asText());
                assertThat(attempt.get("succeeded").asBoolean()).isFalse();
            }
            cursor = page.json().get("nextCursor").isNull() ? null : page.json().get("nextCursor").asText();
            pages++;
        } while (cursor != null);
        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactly("evt-page-4", "evt-page-3", "evt-page-2", "evt-page-1", "evt-page-0");

        assertProblem(operator.get(endpoints() + "/" + id + "/attempts?cursor=bm9wZQ"), 400, "cursor");
        assertProblem(operator.get(endpoints() + "/" + id + "/attempts?limit=0"), 400, "limit");
        assertProblem(operator.get(endpoints() + "/ep_missing/attempts"), 404, "No endpoint");
    }

    @Test
    void a_deliverys_attempts_are_listed_newest_first_with_what_the_receiver_got_and_answered_and_nothing_else()
            throws Exception {
        Map<String, Integer> tries = new java.util.concurrent.ConcurrentHashMap<>();
        receiver.answer(r -> {
            int n = tries.merge(r.header("webhook-id"), 1, Integer::sum);
            return n <= 2 ? new Reply(500, Map.of("X-Try", String.valueOf(n), "Set-Cookie", "a=1\nb=2"),
                    ("down " + n).getBytes(StandardCharsets.UTF_8)) : Reply.ok();
        });
        String id = createEndpoint(Map.of("url", receiver.url("/flaky"), "retrySchedule", List.of("0s", "0s")))
                .get("id").asText();
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of("host", "web-1")));
        publish(Map.of("type", "host.offline", "data", Map.of("host", "web-2"))); // the endpoint's other traffic
        eventually(() -> count("SELECT COUNT(*) FROM deliveries WHERE account_id = ? AND status = 'delivered'",
                account) == 2, "both delivered at their third try");
        String deliveryId = (String) deliveriesOf(eventId).get(0).get("id");
        List<Received> got = receiver.takeAll().stream().filter(r -> deliveryId.equals(r.header("webhook-id")))
                .toList();
        assertThat(got).hasSize(3);
        String path = "/api/v1/accounts/" + account + "/deliveries/" + deliveryId;

        JsonNode delivery = operator.get(path).json();
        assertThat(delivery.get("id").asText()).isEqualTo(deliveryId);
        assertThat(delivery.get("eventId").asText()).isEqualTo(eventId);
        assertThat(delivery.get("endpointId").asText()).isEqualTo(id);
        assertThat(delivery.get("status").asText()).isEqualTo("delivered");
        assertThat(delivery.get("attempts").asInt()).isEqualTo(3);
        assertThat(delivery.get("lastResponseStatus").asInt()).isEqualTo(200);

        JsonNode attempts = operator.get(path + "/attempts").json().get("data");
        assertThat(attempts).extracting(a -> a.get("attemptNumber").asInt()).containsExactly(3, 2, 1);
        assertThat(attempts).extracting(a -> a.get("responseStatus").asInt()).containsExactly(200, 500, 500);
        assertThat(attempts).extracting(a -> a.get("responseBody").asText()).containsExactly("ok", "down 2", "down 1");
        assertThat(attempts).extracting(a -> a.get("succeeded").asBoolean()).containsExactly(true, false, false);
        assertThat(header(attempts.get(1).get("responseHeaders"), "X-Try")).isEqualTo("2");
        // a header the receiver repeated, as HTTP combines it (the list's toString "[a=1, b=2]" before)
        assertThat(header(attempts.get(1).get("responseHeaders"), "Set-Cookie")).isEqualTo("a=1, b=2");
        // each attempt is what the receiver got: its X-Webhook-Delivery, the delivery's webhook-id, the body as sent
        assertThat(attempts).extracting(a -> a.get("id").asText())
                .containsExactlyInAnyOrderElementsOf(got.stream().map(r -> r.header("X-Webhook-Delivery")).toList());
        for (JsonNode attempt : attempts) {
            assertThat(attempt.get("deliveryId").asText()).isEqualTo(deliveryId);
            assertThat(attempt.get("eventId").asText()).isEqualTo(eventId);
            assertThat(attempt.get("trigger").asText()).isEqualTo("scheduled");
            assertThat(header(attempt.get("requestHeaders"), "webhook-id")).isEqualTo(deliveryId);
            assertThat(attempt.get("requestBody").asText()).isEqualTo(got.get(0).bodyText());
        }

        Api.Response first = operator.get(path + "/attempts?limit=2");
        assertThat(first.json().get("data")).extracting(a -> a.get("attemptNumber").asInt()).containsExactly(3, 2);
        Api.Response second = operator.get(path + "/attempts?limit=2&cursor="
                + first.json().get("nextCursor").asText());
        assertThat(second.json().get("data")).extracting(a -> a.get("attemptNumber").asInt()).containsExactly(1);
        assertThat(second.json().get("nextCursor").isNull()).isTrue();

        // a manual retry is listed first, as such
        assertThat(operator.post(path + "/retry", Map.of()).status()).isEqualTo(202);
        eventually(() -> operator.get(path + "/attempts").json().get("data").size() == 4, "the retry's attempt listed");
        JsonNode retried = operator.get(path + "/attempts").json().at("/data/0");
        assertThat(retried.get("attemptNumber").asInt()).isEqualTo(4);
        assertThat(retried.get("trigger").asText()).isEqualTo("manual");
        assertThat(retried.get("id").asText()).isEqualTo(receiver.next(WAIT).header("X-Webhook-Delivery"));

        // the endpoint's attempts by outcome: both events' two failures, and their successes, the retry's too
        String endpointAttempts = endpoints() + "/" + id + "/attempts";
        assertThat(operator.get(endpointAttempts + "?status=failed").json().get("data"))
                .extracting(a -> a.get("responseStatus").asInt()).containsExactly(500, 500, 500, 500);
        assertThat(operator.get(endpointAttempts + "?status=succeeded&limit=2").json().get("data"))
                .extracting(a -> a.get("id").asText()).first().isEqualTo(retried.get("id").asText());
        assertThat(operator.get(endpointAttempts + "?status=succeeded").json().get("data")).hasSize(3)
                .allMatch(a -> a.get("succeeded").asBoolean());
        assertProblem(operator.get(endpointAttempts + "?status=pending"), 400, "failed or succeeded");

        assertProblem(operator.get(path + "/attempts?limit=0"), 400, "limit");
        assertProblem(operator.get(path + "/attempts?cursor=bm9wZQ"), 400, "cursor");
        String other = "other-" + account;
        assertThat(operator.post("/api/v1/accounts", Map.of("name", "Other", "id", other)).status()).isEqualTo(201);
        String foreign = "/api/v1/accounts/" + other + "/deliveries/" + deliveryId;
        assertProblem(operator.get(foreign), 404, "No delivery");
        assertProblem(operator.get(foreign + "/attempts"), 404, "No delivery");
    }

    @Test
    void an_endpoints_stats_count_its_deliveries_by_status_and_its_attempts_within_the_window() throws Exception {
        receiver.answer(r -> "host.online".equals(r.header("X-Webhook-Event")) ? Reply.ok() : Reply.status(500));
        String id = createEndpoint(Map.of("url", receiver.url("/counted"), "retrySchedule", List.of("1h")))
                .get("id").asText();
        String other = createEndpoint(Map.of("url", receiver.url("/other"), "eventTypes", List.of("host.online")))
                .get("id").asText();
        for (int i = 0; i < 5; i++) {
            publish(Map.of("type", i < 3 ? "host.online" : "host.offline", "data", Map.of("n", i)));
        }
        String stats = endpoints() + "/" + id + "/stats";
        eventually(() -> operator.get(stats).json().at("/attempts/total").asLong() == 5
                && operator.get(stats).json().at("/deliveries/delivered").asLong() == 3, "every attempt counted");

        JsonNode counted = operator.get(stats).json();
        assertThat(counted.get("endpointId").asText()).isEqualTo(id);
        assertThat(counted.get("deliveries").toString())
                .isEqualTo("{\"pending\":2,\"held\":0,\"delivered\":3,\"failed\":0,\"discarded\":0}");
        assertThat(counted.get("attempts").toString()).isEqualTo("{\"total\":5,\"succeeded\":3,\"failed\":2}");
        // the last day by default
        assertThat(Duration.between(OffsetDateTime.parse(counted.get("since").asText()),
                OffsetDateTime.parse(counted.get("until").asText()))).isEqualTo(Duration.ofDays(1));
        // the other endpoint has its own
        eventually(() -> operator.get(endpoints() + "/" + other + "/stats").json().at("/deliveries/delivered").asLong()
                == 3, "the other endpoint's deliveries");
        assertThat(operator.get(endpoints() + "/" + other + "/stats").json().at("/attempts/failed").asLong()).isZero();
        // a window before any of it
        JsonNode before = operator.get(stats + "?since=2020-01-01T00:00:00Z&until=2020-01-31T00:00:00Z").json();
        assertThat(before.at("/deliveries/delivered").asLong()).isZero();
        assertThat(before.at("/attempts/total").asLong()).isZero();
        assertThat(before.get("since").asText()).isEqualTo("2020-01-01T00:00:00Z");

        // by hour: every hour of the window listed, this one's attempts in the hour they were made
        db.update("UPDATE attempts SET created_at = TIMESTAMP WITH TIME ZONE '2026-12-01 10:15:00+00'"
                + " WHERE endpoint_id = ? AND succeeded", id);
        db.update("UPDATE attempts SET created_at = TIMESTAMP WITH TIME ZONE '2026-12-01 12:59:59.999+00'"
                + " WHERE endpoint_id = ? AND NOT succeeded", id);
        JsonNode hourly = operator.get(stats + "?since=2026-12-01T09:30:00Z&until=2026-12-01T13:00:00Z&interval=hour")
                .json();
        assertThat(hourly.get("interval").asText()).isEqualTo("hour");
        assertThat(hourly.get("attempts").toString()).as("the totals, the series' sums")
                .isEqualTo("{\"total\":5,\"succeeded\":3,\"failed\":2}");
        assertThat(hourly.get("series").toString()).isEqualTo("["
                + "{\"start\":\"2026-12-01T09:00:00Z\",\"succeeded\":0,\"failed\":0},"
                + "{\"start\":\"2026-12-01T10:00:00Z\",\"succeeded\":3,\"failed\":0},"
                + "{\"start\":\"2026-12-01T11:00:00Z\",\"succeeded\":0,\"failed\":0},"
                + "{\"start\":\"2026-12-01T12:00:00Z\",\"succeeded\":0,\"failed\":2}]");
        JsonNode daily = operator.get(stats + "?since=2026-11-30T12:00:00Z&until=2026-12-02T00:00:00.5Z&interval=day")
                .json();
        assertThat(daily.get("series")).extracting(p -> p.get("start").asText() + " " + p.get("succeeded") + "/"
                + p.get("failed")).containsExactly("2026-11-30T00:00:00Z 0/0", "2026-12-01T00:00:00Z 3/2",
                "2026-12-02T00:00:00Z 0/0");
        assertThat(operator.get(stats).json().has("series")).as("only when asked for").isFalse();
        assertProblem(operator.get(stats + "?interval=minute"), 400, "'interval' is hour or day");

        assertProblem(operator.get(stats + "?since=2020-01-02T00:00:00Z&until=2020-01-01T00:00:00Z"), 400,
                "'until' must be after 'since'");
        assertProblem(operator.get(stats + "?since=2020-01-01T00:00:00Z&until=2020-03-01T00:00:00Z"), 400,
                "at most 31 days");
        assertProblem(operator.get(stats + "?since=yesterday"), 400, "'since' must be an ISO-8601 date-time");
        assertProblem(operator.get(endpoints() + "/ep_missing/stats"), 404, "No endpoint");
    }

    @Test
    void deliveries_of_every_status_are_listed_newest_first_and_paged_by_cursor() throws Exception {
        String id = createEndpoint(Map.of("url", receiver.url("/ok"))).get("id").asText();
        for (int i = 0; i < 7; i++) {
            publish(Map.of("type", "host.offline", "data", Map.of("n", i)));
        }
        eventually(() -> count("SELECT COUNT(*) FROM deliveries WHERE account_id = ? AND status = 'delivered'",
                account) == 7, "every event delivered");
        // one delivery of each status, two pairs stamped alike (the id decides between them), oldest first
        List<String> ids = db.queryForList("SELECT id FROM deliveries WHERE account_id = ? ORDER BY id", String.class,
                account);
        String[] statuses = {"failed", "pending", "held", "discarded", "delivered", "failed", "held"};
        int[] minutesAgo = {60, 50, 50, 40, 30, 30, 20};
        for (int i = 0; i < ids.size(); i++) {
            db.update("UPDATE deliveries SET status = ?, next_attempt_at = DATEADD('DAY', 1, CURRENT_TIMESTAMP),"
                    + " created_at = DATEADD('MINUTE', ?, TIMESTAMP WITH TIME ZONE '2026-12-06 12:00:00+00') WHERE id = ?",
                    statuses[i], -minutesAgo[i], ids.get(i));
        }
        List<String> newestFirst = List.of(ids.get(6), ids.get(5), ids.get(4), ids.get(3), ids.get(2), ids.get(1),
                ids.get(0));

        List<String> seen = new ArrayList<>();
        List<String> seenStatuses = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Api.Response page = operator.get("/api/v1/accounts/" + account + "/deliveries?limit=2"
                    + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(page.status()).as(page.text()).isEqualTo(200);
            page.json().get("data").forEach(d -> {
                seen.add(d.get("id").asText());
                seenStatuses.add(d.get("status").asText());
                assertThat(d.get("endpointId").asText()).isEqualTo(id);
            });
            cursor = page.json().get("nextCursor").isNull() ? null : page.json().get("nextCursor").asText();
            pages++;
        } while (cursor != null);
        assertThat(pages).isEqualTo(4);
        assertThat(seen).containsExactlyElementsOf(newestFirst);
        assertThat(seenStatuses).containsExactly("held", "failed", "delivered", "discarded", "held", "pending", "failed");
    }

    @Test
    void deliveries_are_listed_by_status_and_an_event_shows_its_deliveries() throws Exception {
        receiver.answer(r -> r.path().equals("/bad") ? Reply.status(400) : Reply.ok());
        String good = createEndpoint(Map.of("url", receiver.url("/good"))).get("id").asText();
        String bad = createEndpoint(Map.of("url", receiver.url("/bad"), "retrySchedule", List.of("0s"))).get("id").asText();
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of("host", "web-1")));

        eventually(() -> operator.get("/api/v1/accounts/" + account + "/deliveries?status=failed").json()
                .get("data").size() == 1, "the failing endpoint's delivery is failed");
        JsonNode failed = operator.get("/api/v1/accounts/" + account + "/deliveries?status=failed").json().get("data").get(0);
        assertThat(failed.get("endpointId").asText()).isEqualTo(bad);
        assertThat(failed.get("lastResponseStatus").asInt()).isEqualTo(400);
        JsonNode delivered = operator.get("/api/v1/accounts/" + account + "/deliveries?status=delivered").json().get("data");
        assertThat(delivered).hasSize(1);
        assertThat(delivered.get(0).get("endpointId").asText()).isEqualTo(good);
        assertThat(operator.get("/api/v1/accounts/" + account + "/deliveries?endpointId=" + good).json().get("data"))
                .hasSize(1);
        assertProblem(operator.get("/api/v1/accounts/" + account + "/deliveries?status=lost"), 400, "status");

        JsonNode event = operator.get("/api/v1/accounts/" + account + "/events/" + eventId).json();
        assertThat(event.get("type").asText()).isEqualTo("host.offline");
        assertThat(event.get("payload").get("data").get("host").asText()).isEqualTo("web-1");
        assertThat(event.get("deliveries")).extracting(d -> d.get("status").asText())
                .containsExactlyInAnyOrder("delivered", "failed");
        assertProblem(operator.get("/api/v1/accounts/" + account + "/events/evt-unknown"), 404, "No event");

        JsonNode endpoint = operator.get(endpoints() + "/" + good).json();
        assertThat(endpoint.get("recentDeliveries").get(0).get("eventId").asText()).isEqualTo(eventId);
    }

    @Test
    void an_account_key_is_shown_once_stored_hashed_and_sees_only_its_account() {
        Api.Response issued = operator.post("/api/v1/accounts/" + account + "/api-keys", Map.of("description", "ci"));
        assertThat(issued.status()).as(issued.text()).isEqualTo(201);
        String key = issued.json().get("key").asText();
        assertThat(key).startsWith("hpk_");
        assertThat(count("SELECT COUNT(*) FROM api_keys WHERE key_hash = ? AND account_id = ?",
                io.hookpost.api.ApiKeysAccess.hash(key), account)).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM api_keys WHERE key_hash = ?", key)).isZero();

        Api admin = operator.withKey(key);
        assertThat(admin.get(endpoints()).status()).isEqualTo(200);
        String other = "other-" + account;
        operator.post("/api/v1/accounts", Map.of("name", "Other", "id", other));
        assertProblem(admin.get("/api/v1/accounts/" + other + "/endpoints"), 404, "No account");
        assertProblem(admin.post("/api/v1/accounts/" + other + "/api-keys", Map.of()), 404, "No account");
        // an account admin may add keys for its own account
        assertThat(admin.post("/api/v1/accounts/" + account + "/api-keys", Map.of()).status()).isEqualTo(201);
    }
}

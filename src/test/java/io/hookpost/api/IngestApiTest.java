package io.hookpost.api;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookpost.support.Api;
import io.hookpost.support.HookpostTest;
import io.hookpost.support.TestReceiver.Received;
import org.apache.camel.CamelContext;
import org.apache.camel.Navigate;
import org.apache.camel.Processor;
import org.apache.camel.component.jms.JmsEndpoint;
import org.apache.camel.component.platform.http.springboot.CamelRequestHandlerMapping;
import org.apache.camel.processor.SendProcessor;
import org.junit.jupiter.api.Test;
import org.messaginghub.pooled.jms.JmsPoolConnectionFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.annotation.AnnotationAwareOrderComparator;
import org.springframework.jms.connection.CachingConnectionFactory;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.servlet.HandlerAdapter;
import org.springframework.web.servlet.HandlerExecutionChain;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad input gets a clear problem document and changes nothing; keys only reach their own account. */
class IngestApiTest extends HookpostTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @Autowired
    ApiKeys keys;

    private String events() {
        return "/api/v1/accounts/" + account + "/events";
    }

    @Test
    void spring_mvc_hands_api_requests_straight_to_the_route_consumer(
            @Autowired CamelRequestHandlerMapping routes, @Autowired List<HandlerAdapter> adapters) throws Exception {
        HandlerExecutionChain handler = routes.getHandler(new MockHttpServletRequest("POST", events()));
        assertThat(handler).isNotNull();
        // as DispatcherServlet chooses: the first adapter, in order, that supports the handler
        HandlerAdapter chosen = adapters.stream().sorted(AnnotationAwareOrderComparator.INSTANCE)
                .filter(adapter -> adapter.supports(handler.getHandler())).findFirst().orElseThrow();
        assertThat(chosen).isInstanceOf(InlinePlatformHttpEngine.ConsumerHandlerAdapter.class);
    }

    @Test
    void request_threads_send_on_kept_sessions_and_consumers_on_the_pool(@Autowired CamelContext camel) {
        // the pool lends a connection and a session per send, and request threads queued on its lock (issue 7)
        for (String step : List.of("enqueue-event", "enqueue-callback")) {
            List<SendProcessor> sends = new ArrayList<>();
            camel.getRoutes().forEach(route -> collectSends(route.navigate(), step, sends));
            assertThat(sends).as(step).isNotEmpty();
            for (SendProcessor send : sends) {
                // as Hawtio shows them: inbound-twilio-enqueue-callback, not Camel's route-3enqueue-callback
                assertThat(send.getId()).matches("(inbound-[a-z-]+-)?" + step);
                var endpoint = (JmsEndpoint) send.getDestination();
                assertThat(endpoint.getConfiguration().getConnectionFactory()).as(step)
                        .isInstanceOf(CachingConnectionFactory.class);
            }
        }
        var fanout = (JmsEndpoint) camel.getRoute("fanout").getEndpoint();
        assertThat(fanout.getConfiguration().getConnectionFactory()).isInstanceOf(JmsPoolConnectionFactory.class);
    }

    /** The sends among the steps whose id holds {@code id} (a templated route's steps carry its prefix). */
    private static void collectSends(Navigate<Processor> steps, String id, List<SendProcessor> sends) {
        if (steps == null || !steps.hasNext()) {
            return;
        }
        for (Processor step : steps.next()) {
            if (step instanceof SendProcessor send && String.valueOf(send.getId()).contains(id)) {
                sends.add(send);
            }
            if (step instanceof Navigate<?> inner) {
                @SuppressWarnings("unchecked")
                Navigate<Processor> next = (Navigate<Processor>) inner;
                collectSends(next, id, sends);
            }
        }
    }

    @Test
    void answers_carry_their_length_and_are_not_chunked() {
        Api.Response accepted = operator.post(events(), "{\"type\":\"a.b\",\"data\":{}}");
        Api.Response refused = operator.withKey(null).post(events(), "{\"type\":\"a.b\",\"data\":{}}");
        assertThat(accepted.status()).isEqualTo(202);
        assertThat(refused.status()).isEqualTo(401);
        for (Api.Response answer : List.of(accepted, refused)) {
            assertThat(answer.headers().firstValue("Transfer-Encoding")).as("Transfer-Encoding").isEmpty();
            assertThat(answer.headers().firstValueAsLong("Content-Length")).as("Content-Length")
                    .hasValue(answer.text().getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        }
    }

    @Test
    void a_producer_keeps_its_connection_open_past_tomcats_default_of_100_requests() throws Exception {
        byte[] event = "{\"type\":\"a.b\",\"data\":{}}".getBytes(StandardCharsets.UTF_8);
        byte[] head = ("POST " + events() + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Authorization: Bearer " + ADMIN_TOKEN + "\r\nContent-Length: " + event.length + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            for (int i = 1; i <= 150; i++) {
                out.write(head);
                out.write(event);
                out.flush();
                String status = line(in);
                assertThat(status).as("answer %d", i).startsWith("HTTP/1.1 202");
                int length = -1;
                for (String header = line(in); !header.isEmpty(); header = line(in)) {
                    String lower = header.toLowerCase(Locale.ROOT);
                    assertThat(lower).as("answer %d", i).doesNotStartWith("connection: close");
                    if (lower.startsWith("content-length:")) {
                        length = Integer.parseInt(lower.substring(15).trim());
                    }
                }
                assertThat(length).as("answer %d's Content-Length", i).isNotNegative();
                assertThat(in.readNBytes(length)).as("answer %d", i).hasSize(length);
            }
        }
        eventually(() -> count("SELECT COUNT(*) FROM events WHERE account_id = ?", account) == 150,
                "all 150 events recorded");
    }

    @Test
    void a_body_that_is_not_utf_8_or_is_compressed_gets_a_4xx_problem_and_changes_nothing() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        byte[] latin1 = "{\"type\":\"a.b\",\"data\":{\"s\":\"\u00ff\u00fe\"}}".getBytes(StandardCharsets.ISO_8859_1);
        byte[] gzipped;
        try (var bytes = new java.io.ByteArrayOutputStream(); var gzip = new java.util.zip.GZIPOutputStream(bytes)) {
            gzip.write("{\"type\":\"a.b\",\"data\":{}}".getBytes(StandardCharsets.UTF_8));
            gzip.finish();
            gzipped = bytes.toByteArray();
        }
        record Case(String path, byte[] body, String encoding, int status, String detail, String contentType) {
            Case(String path, byte[] body, String encoding, int status, String detail) {
                this(path, body, encoding, status, detail, "application/json");
            }
        }
        byte[] latin1Name = "{\"name\":\"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
        for (Case c : List.of(
                new Case(events(), latin1, null, 400, "not valid UTF-8"),
                new Case("/api/v1/accounts", "{\"name\":\"\u00ff\"}".getBytes(StandardCharsets.ISO_8859_1), null, 400,
                        "not valid UTF-8"),
                // said to be Latin-1, it was read as UTF-8 and stored as "caf\uFFFD"
                new Case("/api/v1/accounts", latin1Name, null, 415, "UTF-8", "application/json; charset=ISO-8859-1"),
                new Case(events(), latin1, null, 415, "UTF-8", "application/json; charset=iso-8859-1"),
                new Case("/api/v1/accounts", latin1Name, null, 400, "not valid UTF-8", null),
                new Case(events(), gzipped, "gzip", 415, "Content-Encoding"))) {
            var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + c.path()))
                    .header("Authorization", "Bearer " + ADMIN_TOKEN)
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(c.body()));
            if (c.contentType() != null) {
                request.header("Content-Type", c.contentType());
            }
            if (c.encoding() != null) {
                request.header("Content-Encoding", c.encoding());
            }
            var answer = http.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(c.path() + " " + answer.body()).isEqualTo(c.status());
            assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(answer.body()).contains(c.detail());
        }
        assertThat(receiver.drain(java.time.Duration.ofMillis(500))).isEmpty();
        assertThat(count("SELECT COUNT(*) FROM events WHERE account_id = ?", account)).isZero();
        assertThat(count("SELECT COUNT(*) FROM accounts WHERE name LIKE 'caf%'")).isZero();
    }

    /** One header line of an HTTP/1.1 answer, without its CRLF. */
    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new EOFException("the server closed the connection");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    @Test
    void malformed_or_incomplete_events_get_400_and_nothing_is_recorded() throws Exception {
        createEndpoint(Map.of("url", receiver.url("/never")));
        assertProblem(operator.post(events(), "{\"type\":"), 400, "not valid JSON");
        assertProblem(operator.post(events(), "[1,2]"), 400, "JSON object");
        // a field given twice: which one a parser takes differs, so neither is guessed
        assertProblem(operator.post(events(), "{\"type\":\"a.b\",\"data\":{},\"type\":\"a.c\"}"), 400,
                "Duplicate field 'type'");
        assertProblem(operator.post(events(), "{\"type\":\"a.b\",\"data\":{\"n\":1,\"n\":2}}"), 400,
                "Duplicate field 'n'");
        assertProblem(operator.post(events(), "{\"data\":{}}"), 400, "'type' is required");
        assertProblem(operator.post(events(), "{\"type\":\"a b\",\"data\":{}}"), 400, "dot-separated parts");
        // the catalog's rule: a type an event may carry can always be catalogued and subscribed to
        assertProblem(operator.post(events(), "{\"type\":\"host..offline\",\"data\":{}}"), 400, "dot-separated parts");
        assertProblem(operator.post(events(), "{\"type\":\"host.\",\"data\":{}}"), 400, "dot-separated parts");
        assertProblem(operator.post(events(), "{\"type\":\"a.b\",\"data\":[1]}"), 400, "'data' must be a JSON object");
        assertProblem(operator.post(events(), "{\"type\":\"a.b\"}"), 400, "'data' is required");
        assertProblem(operator.post(events(), "{\"type\":5,\"data\":{}}"), 400, "'type' must be a string");
        assertProblem(operator.post(events(), "{\"type\":\"a.b\",\"data\":{},\"extra\":1}"), 400, "Unknown field 'extra'");
        assertProblem(operator.post(events(), "{\"type\":\"a.b\",\"data\":{},\"timestamp\":\"yesterday\"}"), 400, "ISO-8601");
        assertProblem(operator.post(events(), "{\"type\":\"a.b\",\"data\":{},\"id\":42}"), 400, "'id' must be");
        assertProblem(operator.post(events(), "{\"type\":\"a.b\",\"data\":{}}", Map.of("Idempotency-Key", "k".repeat(201))),
                400, "at most 200 characters");

        assertThat(receiver.drain(java.time.Duration.ofMillis(500))).isEmpty();
        assertThat(count("SELECT COUNT(*) FROM events WHERE account_id = ?", account)).isZero();
    }

    @Test
    void an_event_without_a_timestamp_shows_the_same_one_to_receivers_and_to_the_api() throws Exception {
        createEndpoint(Map.of("url", receiver.url("/hook")));
        String id = publish("{\"type\":\"a.b\",\"data\":{}}");
        var sent = new com.fasterxml.jackson.databind.ObjectMapper().readTree(receiver.next(WAIT).body());
        Api.Response event = operator.get("/api/v1/accounts/" + account + "/events/" + id);
        assertThat(event.json().get("timestamp").asText()).isEqualTo(sent.get("timestamp").asText());
        assertThat(event.json().get("payload").get("timestamp").asText()).isEqualTo(sent.get("timestamp").asText());
    }

    @Test
    void an_event_shows_its_payload_byte_for_byte_as_delivered_even_numbers_beyond_a_double() throws Exception {
        createEndpoint(Map.of("url", receiver.url("/hook")));
        String id = publish("{\"type\":\"a.b\",\"data\":{\"huge\":1e400,\"price\":1.10}}");
        String sent = receiver.next(WAIT).bodyText();
        assertThat(sent).endsWith("\"data\":{\"huge\":1E+400,\"price\":1.10}}");
        Api.Response event = operator.get("/api/v1/accounts/" + account + "/events/" + id);
        assertThat(event.text()).contains("\"payload\":" + sent + ",");
    }

    @Test
    void a_timestamp_with_an_offset_is_sent_and_recorded_as_the_same_instant_in_utc() throws Exception {
        createEndpoint(Map.of("url", receiver.url("/hook")));
        String id = publish("{\"type\":\"a.b\",\"data\":{},\"timestamp\":\"2026-01-31T14:00:00.25+02:00\"}");

        var sent = new com.fasterxml.jackson.databind.ObjectMapper().readTree(receiver.next(WAIT).body());
        assertThat(sent.get("id").asText()).isEqualTo(id);
        assertThat(sent.get("timestamp").asText()).isEqualTo("2026-01-31T12:00:00.250Z");
        java.sql.Timestamp occurred = db.queryForObject(
                "SELECT occurred_at FROM events WHERE account_id = ? AND id = ?", java.sql.Timestamp.class, account, id);
        assertThat(occurred.toInstant()).isEqualTo(java.time.Instant.parse("2026-01-31T12:00:00.25Z"));
    }

    @Test
    void a_timestamp_finer_than_a_microsecond_is_sent_and_recorded_as_the_same_instant() throws Exception {
        createEndpoint(Map.of("url", receiver.url("/hook")));
        String id = publish("{\"type\":\"a.b\",\"data\":{},\"timestamp\":\"2026-01-01T00:00:00.9999999Z\"}");

        var sent = new com.fasterxml.jackson.databind.ObjectMapper().readTree(receiver.next(WAIT).body());
        assertThat(sent.get("timestamp").asText()).isEqualTo("2026-01-01T00:00:00.999999Z");
        // not rounded up to the next second by the database
        assertThat(operator.get(events() + "/" + id).json().get("timestamp").asText()).isEqualTo("2026-01-01T00:00:00.999999Z");
    }

    @Test
    void a_lone_surrogate_in_an_event_gets_400_and_a_pair_is_delivered_and_shown() throws Exception {
        createEndpoint(Map.of("url", receiver.url("/hook")));
        assertProblem(operator.post(events(), "{\"type\":\"a.b\",\"data\":{\"x\":\"\\ud800\"}}"), 400, "lone UTF-16 surrogate");
        assertProblem(operator.post(events(), "{\"type\":\"a.b\",\"data\":{\"\\udc00\":[1]}}"), 400, "lone UTF-16 surrogate");

        String id = publish("{\"type\":\"a.b\",\"data\":{\"x\":\"\\ud83d\\ude00\"}}");
        assertThat(new String(receiver.next(WAIT).body(), java.nio.charset.StandardCharsets.UTF_8)).contains("\"x\":\"\uD83D\uDE00\"");
        Api.Response shown = operator.get(events() + "/" + id);
        assertThat(shown.status()).as(shown.text()).isEqualTo(200);
        assertThat(shown.json().at("/payload/data/x").asText()).isEqualTo("\uD83D\uDE00");
    }

    @Test
    void an_event_of_emoji_within_the_limit_is_delivered_as_utf_8_in_either_envelope() throws Exception {
        createEndpoint(Map.of("url", receiver.url("/standard")));
        createEndpoint(Map.of("url", receiver.url("/event-shaped"), "envelope", "event"));
        String party = "\uD83C\uDF89".repeat(22_000); // 88 KB of UTF-8; Jackson 2 escaped each to 12 bytes
        publish("{\"type\":\"a.b\",\"data\":{\"s\":\"" + party + "\"}}");

        for (Received post : List.of(receiver.next(WAIT), receiver.next(WAIT))) {
            assertThat(post.body().length).as(post.path()).isLessThan(90_000);
            assertThat(JSON.readTree(post.body()).at("/data/s").asText()).isEqualTo(party);
        }
    }

    @Test
    void an_event_within_the_limit_that_hookpost_writes_larger_is_delivered() throws Exception {
        createEndpoint(Map.of("url", receiver.url("/numbers")));
        // 240 KB as sent; 300 KB as written, each 1e1 as 1E+1
        String numbers = String.join(",", java.util.Collections.nCopies(60_000, "1e1"));
        publish("{\"type\":\"a.b\",\"data\":{\"n\":[" + numbers + "]}}");

        assertThat(JSON.readTree(receiver.next(WAIT).body()).at("/data/n").size()).isEqualTo(60_000);
    }

    @Test
    void an_event_over_the_payload_limit_gets_413() {
        String big = "{\"type\":\"a.b\",\"data\":{\"blob\":\"" + "x".repeat(262_144) + "\"}}";
        Api.Response tooLarge = operator.post(events(), big);
        assertProblem(tooLarge, 413, "262144");
        assertThat(tooLarge.json().get("instance").asText()).as("like every other problem").isEqualTo(events());
        assertThat(count("SELECT COUNT(*) FROM events WHERE account_id = ?", account)).isZero();
    }

    @Test
    void missing_wrong_or_foreign_keys_are_refused() {
        String event = "{\"type\":\"a.b\",\"data\":{}}";
        assertProblem(operator.withKey(null).post(events(), event), 401, "Bearer");
        Api.Response wrongKey = operator.withKey("not-a-key").post(events(), event);
        assertProblem(wrongKey, 401, "not valid");
        assertThat(wrongKey.headers().firstValue("WWW-Authenticate")).as("RFC 9110's challenge").hasValue("Bearer");

        String ownKey = keys.issue(account, "test");
        Api own = operator.withKey(ownKey);
        assertThat(own.post(events(), event).status()).isEqualTo(202);
        assertThat(own.get("/api/v1/accounts/" + account + "/endpoints").status()).isEqualTo(200);

        String otherAccount = "other-" + account;
        operator.post("/api/v1/accounts", Map.of("name", "Other", "id", otherAccount));
        assertProblem(own.post("/api/v1/accounts/" + otherAccount + "/events", event), 404, "No account");
        assertProblem(own.get("/api/v1/accounts/" + otherAccount + "/endpoints"), 404, "No account");
        assertProblem(own.post("/api/v1/accounts", Map.of("name", "x")), 403, "operator");
        assertThat(count("SELECT COUNT(*) FROM events WHERE account_id = ?", otherAccount)).isZero();
    }

    @Test
    void ids_in_the_path_may_be_percent_encoded_as_clients_encode_them() throws Exception {
        assertThat(operator.post(events(), "{\"type\":\"a.b\",\"id\":\"order:123.a\",\"data\":{}}").status())
                .isEqualTo(202);
        eventually(() -> count("SELECT COUNT(*) FROM events WHERE account_id = ?", account) == 1, "the event is recorded");
        String encodedAccount = String.format("%%%02X", (int) account.charAt(0)) + account.substring(1);
        Api.Response event = operator.get("/api/v1/accounts/" + encodedAccount + "/events/order%3A123.a");
        assertThat(event.status()).as(event.text()).isEqualTo(200);
        assertThat(event.json().get("id").asText()).isEqualTo("order:123.a");
    }

    @Test
    void a_field_of_the_wrong_type_or_broken_json_is_explained_in_json_words_not_java_ones() {
        String endpoints = "/api/v1/accounts/" + account + "/endpoints";
        assertProblem(operator.post("/api/v1/accounts", "{\"name\":123}"), 400, "'name' must be a string.");
        // Jackson named its classes for this one ("No fallback setter/field defined for creator property 'name'")
        Api.Response twice = operator.post("/api/v1/accounts", "{\"name\":\"Fz\",\"id\":\"dup-name\",\"name\":1}");
        assertProblem(twice, 400, "Duplicate field 'name'");
        assertThat(twice.json().get("detail").asText()).doesNotContain("io.hookpost");
        assertProblem(operator.post("/api/v1/accounts", "{\"name\":\"a\",\"id\":\"dup-name\",\"name\":\"b\"}"), 400,
                "Duplicate field 'name'");
        assertProblem(operator.post(endpoints, "{\"url\":\"https://example.com/\",\"eventTypes\":\"host.*\"}"), 400,
                "'eventTypes' must be a list.");
        assertProblem(operator.post(endpoints, "{\"url\":\"https://example.com/\",\"headers\":[]}"), 400,
                "'headers' must be an object.");
        assertProblem(operator.post(endpoints, "{\"url\":\"https://example.com/\",\"disableAfterFailures\":\"5\"}"),
                400, "'disableAfterFailures' must be a whole number.");
        String deep = "{\"type\":\"a.b\",\"data\":" + "{\"a\":".repeat(1001) + "1" + "}".repeat(1002);
        for (var broken : List.of(operator.post("/api/v1/accounts", "{"), operator.post(events(), "{\"type\":NaN}"),
                operator.post(events(), deep))) {
            assertThat(broken.status()).as(broken.text()).isEqualTo(400);
            assertThat(broken.json().get("detail").asText()).as(broken.text())
                    .doesNotContain("`").doesNotContain("Source").doesNotContain("java.");
        }
        assertThat(count("SELECT COUNT(*) FROM endpoints WHERE account_id = ?", account)).isZero();
    }

    @Test
    void a_nul_character_in_a_name_or_description_gets_400_and_changes_nothing() {
        // PostgreSQL's text columns cannot hold it: it would be a 500 there
        assertProblem(operator.post("/api/v1/accounts", "{\"name\":\"x\\u0000y\",\"id\":\"nul-acct\"}"), 400,
                "NUL character");
        assertProblem(operator.post("/api/v1/accounts/" + account + "/endpoints",
                "{\"url\":\"https://example.com/\",\"description\":\"a\\u0000\"}"), 400, "NUL character");
        assertThat(count("SELECT COUNT(*) FROM accounts WHERE id = 'nul-acct'")).isZero();
        assertThat(count("SELECT COUNT(*) FROM endpoints WHERE account_id = ?", account)).isZero();
        // the six characters \u0000 (an escaped backslash, then u0000) are text like any other
        assertThat(operator.post("/api/v1/accounts", "{\"name\":\"x\\\\u0000y\",\"id\":\"text-acct\"}").json()
                .get("name").asText()).isEqualTo("x\\u0000y");
    }

    @Test
    void an_unknown_account_gets_404_and_a_form_body_gets_415() {
        assertProblem(operator.post("/api/v1/accounts/no-such-account/events", "{\"type\":\"a.b\",\"data\":{}}"),
                404, "No account");
        Api.Response form = operator.post(events(), "type=a.b", Map.of("Content-Type", "application/x-www-form-urlencoded"));
        assertThat(form.status()).isEqualTo(415);
    }

    @Test
    void an_account_created_after_a_404_takes_events_at_once_even_when_another_node_created_it() {
        String late = "late-" + account;
        String event = "{\"type\":\"a.b\",\"data\":{}}";
        assertProblem(operator.post("/api/v1/accounts/" + late + "/events", event), 404, "No account");
        // straight into the database, as another Hookpost node sharing it would: nothing here is told
        db.update("INSERT INTO accounts (id, name, created_at) VALUES (?, 'Late', CURRENT_TIMESTAMP)", late);

        assertThat(operator.post("/api/v1/accounts/" + late + "/events", event).status()).isEqualTo(202);
        assertThat(operator.post("/api/v1/accounts/" + late + "/events", event).status()).isEqualTo(202);
    }

    @Test
    void endpoint_creation_validates_and_enforces_the_per_account_limit() {
        String path = "/api/v1/accounts/" + account + "/endpoints";
        assertProblem(operator.post(path, Map.of()), 400, "'url' is required");
        assertProblem(operator.post(path, Map.of("url", "https://10.0.0.5/hook")), 422, "blocked range");
        assertProblem(operator.post(path, Map.of("url", receiver.url("/x"), "signatureScheme", "md5")), 400, "signatureScheme");
        assertProblem(operator.post(path, Map.of("url", receiver.url("/x"), "headers", Map.of("webhook-id", "x"))), 400, "Hookpost sets it");
        assertProblem(operator.post(path, Map.of("url", receiver.url("/x"), "eventTypes", List.of("bad type"))), 400, "eventTypes");
        assertProblem(operator.post(path, Map.of("url", receiver.url("/x"), "secret", "whsec_tooshort")), 400, "secret");
        assertProblem(operator.post(path, Map.of("url", receiver.url("/x"), "retrySchedule", List.of("soon"))), 400, "retrySchedule");
        // without a unit Spring's duration style reads milliseconds: "30" was a 30 ms retry
        for (String delay : List.of("30", "+1s", "-1s", "1.5s", "1 s", "8d", "1y")) {
            assertProblem(operator.post(path, Map.of("url", receiver.url("/x"), "retrySchedule", List.of(delay))), 400,
                    "a whole number and a unit (ms, s, m, h or d)");
        }
        assertProblem(operator.post(path, Map.of("url", receiver.url("/x"), "surprise", true)), 400, "surprise");
        assertThat(count("SELECT COUNT(*) FROM endpoints WHERE account_id = ?", account)).isZero();

        for (int i = 0; i < 5; i++) {
            createEndpoint(Map.of("url", receiver.url("/e" + i)));
        }
        assertProblem(operator.post(path, Map.of("url", receiver.url("/sixth"))), 409, "limit is 5");
        assertThat(count("SELECT COUNT(*) FROM endpoints WHERE account_id = ?", account)).isEqualTo(5);
    }
}

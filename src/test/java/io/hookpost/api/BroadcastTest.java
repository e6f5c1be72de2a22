package io.hookpost.api;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.standardwebhooks.Webhook;
import io.hookpost.support.Api;
import io.hookpost.support.HookpostProcess;
import io.hookpost.support.HookpostTest;
import io.hookpost.support.TestReceiver;
import io.hookpost.support.TestReceiver.Received;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * {@code POST /api/v1/broadcast}: one event for every account, as Svix's broadcast message. Hookpost runs as its own
 * process here, one for the class, so that "every account" is this class's accounts only.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BroadcastTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Map<String, Object> MAINTENANCE = Map.of("type", "platform.maintenance",
            "data", Map.of("startsAt", "2026-12-24T02:00:00Z", "minutes", 30));

    private HookpostProcess hookpost;
    private Api operator;

    @BeforeAll
    void start() throws Exception {
        hookpost = HookpostProcess.fresh("broadcast-tests", settings());
        hookpost.start();
        operator = new Api(hookpost.port(), HookpostTest.ADMIN_TOKEN);
    }

    @AfterAll
    void stop() throws Exception {
        hookpost.close();
    }

    @Test
    void a_broadcast_reaches_every_accounts_subscribed_endpoints_once_with_one_event_id() throws Exception {
        try (TestReceiver receiver = new TestReceiver()) {
            for (String account : List.of("acme", "globex", "initech", "gone")) {
                assertThat(operator.post("/api/v1/accounts", Map.of("id", account, "name", account)).status())
                        .isEqualTo(201);
            }
            Map<String, String> secrets = new HashMap<>();
            secrets.put("acme", endpoint(operator, "acme", receiver.url("/acme"), List.of()));
            secrets.put("globex", endpoint(operator, "globex", receiver.url("/globex"), List.of("platform.*")));
            endpoint(operator, "initech", receiver.url("/initech"), List.of("host.*"));  // not subscribed
            endpoint(operator, "gone", receiver.url("/gone"), List.of());
            assertThat(operator.delete("/api/v1/accounts/gone").status()).isEqualTo(204);
            // the operators' own account: its endpoints are the admin webhooks
            endpoint(operator, "hookpost-ops", receiver.url("/ops"), List.of());

            Api.Response sent = operator.post("/api/v1/broadcast", MAINTENANCE, Map.of("Idempotency-Key", "maint-1"));
            assertThat(sent.status()).as(sent.text()).isEqualTo(202);
            assertThat(sent.json().get("status").asText()).isEqualTo("sending");
            String eventId = sent.json().get("id").asText();
            JsonNode done = sentBroadcast(eventId);
            assertThat(done.get("accounts").asInt()).as("every account but the deleted and the operators'")
                    .isEqualTo(liveAccounts().size()).isGreaterThanOrEqualTo(3);
            assertThat(done.get("type").asText()).isEqualTo("platform.maintenance");
            assertThat(done.get("sentAt").asText()).isNotBlank();

            Map<String, Received> got = broadcastPosts(receiver, 2).stream()
                    .collect(Collectors.toMap(Received::path, r -> r));
            assertThat(got).containsOnlyKeys("/acme", "/globex");
            for (Map.Entry<String, Received> post : got.entrySet()) {
                JsonNode body = JSON.readTree(post.getValue().body());
                assertThat(body.get("id").asText()).isEqualTo(eventId);
                assertThat(body.get("data").get("minutes").asInt()).isEqualTo(30);
                String secret = secrets.get(post.getKey().substring(1));
                assertThatNoException().as("signed with %s's own secret", post.getKey())
                        .isThrownBy(() -> new Webhook(secret).verify(post.getValue().bodyText(),
                                new HashMap<>(post.getValue().headers())));
            }
            JsonNode acmes = operator.get("/api/v1/accounts/acme/events/" + eventId).json();
            assertThat(acmes.get("source").asText()).isEqualTo("broadcast");
            JsonNode initechs = operator.get("/api/v1/accounts/initech/events/" + eventId).json();
            assertThat(initechs.get("source").asText()).as("recorded, with no endpoint subscribed").isEqualTo("broadcast");
            assertThat(initechs.get("deliveries")).isEmpty();
            assertThat(operator.get("/api/v1/accounts/hookpost-ops/events/" + eventId).status()).isEqualTo(404);
            assertThat(liveAccounts()).doesNotContain("gone", "hookpost-ops").contains("acme", "globex", "initech");

            // sent again with its key: answered as the first time, nothing sent twice
            Api.Response again = operator.post("/api/v1/broadcast", MAINTENANCE, Map.of("Idempotency-Key", "maint-1"));
            assertThat(again.status()).isEqualTo(202);
            assertThat(again.text()).isEqualTo(sent.text());
            assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
            assertThat(broadcastPosts(receiver, 0)).isEmpty();
        }
    }

    @Test
    void a_broadcast_sent_again_with_its_id_reaches_no_account_twice_and_bad_ones_change_nothing() throws Exception {
        try (TestReceiver receiver = new TestReceiver()) {
            for (String account : List.of("hooli", "umbrella")) {
                assertThat(operator.post("/api/v1/accounts", Map.of("id", account, "name", account)).status())
                        .isEqualTo(201);
                endpoint(operator, account, receiver.url("/" + account), List.of());
            }
            Api.Response key = operator.post("/api/v1/accounts/hooli/api-keys", Map.of("description", "hooli's"));
            Api accountAdmin = operator.withKey(key.json().get("key").asText());

            HookpostTest.assertProblem(accountAdmin.post("/api/v1/broadcast", MAINTENANCE), 403, "operator");
            HookpostTest.assertProblem(accountAdmin.get("/api/v1/broadcast/maint-2"), 403, "operator");
            HookpostTest.assertProblem(operator.get("/api/v1/broadcast/maint-2"), 404, "no broadcast 'maint-2'");
            HookpostTest.assertProblem(operator.post("/api/v1/broadcast", Map.of("data", Map.of())), 400, "'type'");
            HookpostTest.assertProblem(operator.post("/api/v1/broadcast", Map.of("type", "platform.maintenance",
                    "account", "hooli", "data", Map.of())), 400, "every account");
            HookpostTest.assertProblem(operator.post("/api/v1/broadcast", Map.of("type", "platform.maintenance",
                    "channels", List.of("no spaces"), "data", Map.of())), 400, "");
            HookpostTest.assertProblem(operator.post("/api/v1/broadcast",
                    "{\"type\":\"platform.maintenance\",\"data\":{},\"type\":\"platform.other\"}"), 400,
                    "Duplicate field 'type'");
            assertThat(broadcastPosts(receiver, 0)).as("nothing sent for the refused ones").isEmpty();
            assertThat(operator.get("/api/v1/accounts/hooli/events").json().get("data")).isEmpty();

            Map<String, Object> withId = new HashMap<>(MAINTENANCE);
            withId.put("id", "maint-2");
            assertThat(operator.post("/api/v1/broadcast", withId).status()).isEqualTo(202);
            assertThat(broadcastPosts(receiver, 2)).extracting(Received::path)
                    .containsExactlyInAnyOrder("/hooli", "/umbrella");
            // as after a failure part-way: the same broadcast again
            Api.Response again = operator.post("/api/v1/broadcast", withId);
            assertThat(again.status()).isEqualTo(202);
            assertThat(again.json().get("id").asText()).isEqualTo("maint-2");
            assertThat(broadcastPosts(receiver, 0)).as("each account's event recorded once").isEmpty();

            // a resend reaches an account it missed (here: one created since) with the first one's event
            assertThat(operator.post("/api/v1/accounts", Map.of("id", "late", "name", "late")).status()).isEqualTo(201);
            endpoint(operator, "late", receiver.url("/late"), List.of());
            assertThat(operator.post("/api/v1/broadcast", withId).status()).isEqualTo(202);
            HookpostTest.eventually(() -> operator.get("/api/v1/broadcast/maint-2").json().get("accounts").asInt()
                    == liveAccounts().size(), "sent again, to every account", WAIT);
            Received late = broadcastPosts(receiver, 1).get(0);
            assertThat(late.path()).isEqualTo("/late");
            String first = operator.get("/api/v1/accounts/hooli/events/maint-2").json().get("timestamp").asText();
            assertThat(JSON.readTree(late.body()).get("timestamp").asText()).as("the first one's timestamp")
                    .isEqualTo(first);
        }
    }

    @Test
    void two_broadcasts_with_one_id_and_other_data_at_once_one_is_refused_and_every_account_holds_the_other()
            throws Exception {
        try (TestReceiver receiver = new TestReceiver()) {
            List<String> accounts = java.util.stream.IntStream.range(0, 40).mapToObj(i -> "acct-" + i).toList();
            for (String account : accounts) {
                assertThat(operator.post("/api/v1/accounts", Map.of("id", account, "name", account)).status())
                        .isEqualTo(201);
            }
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
            List<java.util.concurrent.Future<Api.Response>> sent = new java.util.ArrayList<>();
            for (int v = 1; v <= 2; v++) {
                Map<String, Object> version = Map.of("type", "platform.maintenance", "id", "race", "data",
                        Map.of("v", v));
                sent.add(pool.submit(() -> operator.post("/api/v1/broadcast", version)));
            }
            List<Integer> statuses = new java.util.ArrayList<>();
            for (java.util.concurrent.Future<Api.Response> answer : sent) {
                statuses.add(answer.get().status());
            }
            pool.shutdown();
            assertThat(statuses).containsExactlyInAnyOrder(202, 422);
            int winner = statuses.get(0) == 202 ? 1 : 2;
            for (String account : accounts) {
                String path = "/api/v1/accounts/" + account + "/events/race";
                HookpostTest.eventually(() -> operator.get(path).status() == 200, account + "'s event", WAIT);
                assertThat(operator.get(path).json().at("/payload/data/v").asInt()).as(account + "'s event")
                        .isEqualTo(winner);
            }
            HookpostTest.assertProblem(operator.post("/api/v1/broadcast", Map.of("type", "platform.maintenance",
                    "id", "race", "data", Map.of("v", 3))), 422, "another type, data");
        }
    }

    @Test
    void a_broadcast_answered_202_reaches_every_account_after_hookpost_is_killed_at_once() throws Exception {
        try (TestReceiver receiver = new TestReceiver()) {
            List<String> accounts = java.util.stream.IntStream.range(0, 60).mapToObj(i -> "crash-" + i).toList();
            for (String account : accounts) {
                assertThat(operator.post("/api/v1/accounts", Map.of("id", account, "name", account)).status())
                        .isEqualTo(201);
            }
            for (String account : accounts.subList(0, 3)) {
                endpoint(operator, account, receiver.url("/" + account), List.of());
            }
            Map<String, Object> outage = Map.of("type", "platform.maintenance", "id", "outage-1",
                    "data", Map.of("minutes", 5));
            assertThat(operator.post("/api/v1/broadcast", outage).status()).isEqualTo(202);
            hookpost.kill();
            hookpost.start();

            assertThat(sentBroadcast("outage-1").get("accounts").asInt()).isEqualTo(liveAccounts().size());
            for (String account : accounts) {
                assertThat(operator.get("/api/v1/accounts/" + account + "/events/outage-1").status())
                        .as(account + "'s event").isEqualTo(200);
            }
            assertThat(broadcastPosts(receiver, 3)).extracting(Received::path)
                    .containsExactlyInAnyOrder("/crash-0", "/crash-1", "/crash-2");
        }
    }

    /** The broadcast once sent (GET /api/v1/broadcast/{id}). */
    private JsonNode sentBroadcast(String id) throws InterruptedException {
        HookpostTest.eventually(() -> "sent".equals(operator.get("/api/v1/broadcast/" + id).json().get("status")
                .asText()), "broadcast " + id + " sent", WAIT);
        return operator.get("/api/v1/broadcast/" + id).json();
    }

    /** Hookpost's settings beyond its embedded defaults (BroadcastPostgresTest: a PostgreSQL database of its own). */
    protected List<String> settings() {
        return List.of();
    }

    /** The accounts a broadcast goes to: those listed (not deleted) but the operators' own. */
    private List<String> liveAccounts() {
        List<String> ids = new java.util.ArrayList<>();
        String cursor = "";
        do {
            JsonNode page = operator.get("/api/v1/accounts?limit=100" + cursor).json();
            page.get("data").forEach(account -> ids.add(account.get("id").asText()));
            cursor = page.hasNonNull("nextCursor") ? "&cursor=" + page.get("nextCursor").asText() : null;
        } while (cursor != null);
        ids.remove("hookpost-ops");
        return ids;
    }

    /** The endpoint's secret. */
    private static String endpoint(Api operator, String account, String url, List<String> eventTypes) {
        Map<String, Object> request = new HashMap<>(Map.of("url", url));
        if (!eventTypes.isEmpty()) {
            request.put("eventTypes", eventTypes);
        }
        Api.Response created = operator.post("/api/v1/accounts/" + account + "/endpoints", request);
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return created.json().get("secret").asText();
    }

    /** The broadcast's POSTs the receiver gets: {@code expected} of them, then none for another second. */
    private static List<Received> broadcastPosts(TestReceiver receiver, int expected) throws InterruptedException {
        List<Received> posts = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (posts.size() < expected && System.nanoTime() < deadline) {
            Received next = receiver.next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (next != null && "platform.maintenance".equals(next.header("X-Webhook-Event"))) {
                posts.add(next);
            }
        }
        receiver.drain(Duration.ofSeconds(1)).stream()
                .filter(r -> "platform.maintenance".equals(r.header("X-Webhook-Event"))).forEach(posts::add);
        assertThat(posts).hasSize(expected);
        return posts;
    }
}

package io.hookpost.api;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookpost.support.Api;
import io.hookpost.support.HookpostTest;
import io.hookpost.support.TestReceiver.Received;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST …/endpoints/{id}/replay-missing}: the events an endpoint subscribes to now and never got a delivery of
 * (it was added, or subscribed, after them) are delivered to it, once; nothing it had is sent again.
 */
class ReplayMissingTest extends HookpostTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private String endpoints() {
        return "/api/v1/accounts/" + account + "/endpoints";
    }

    private Api.Response replay(String endpointId, Map<String, Object> window) {
        return operator.post(endpoints() + "/" + endpointId + "/replay-missing", window);
    }

    private static String eventIdOf(Received post) throws Exception {
        return JSON.readTree(post.body()).get("id").asText();
    }

    @Test
    void an_endpoint_added_later_gets_the_events_it_subscribes_to_once_and_an_endpoint_that_had_them_gets_none()
            throws Exception {
        String early = createEndpoint(Map.of("url", receiver.url("/early"), "eventTypes", List.of("host.*")))
                .get("id").asText();
        String offline = publish(Map.of("type", "host.offline", "data", Map.of("severity", "low")));
        publish(Map.of("type", "ticket.created", "data", Map.of()));
        String online = publish(Map.of("type", "host.online", "data", Map.of("severity", "high")));
        String deleted = publish(Map.of("type", "host.offline", "data", Map.of("severity", "high")));
        eventually(() -> count("SELECT COUNT(*) FROM deliveries WHERE account_id = ? AND status = 'delivered'",
                account) == 3, "the early endpoint's three delivered");
        List<Received> first = receiver.drain(Duration.ofMillis(300));
        assertThat(first).hasSize(3);
        assertThat(operator.delete("/api/v1/accounts/" + account + "/events/" + deleted + "/payload").status())
                .isEqualTo(204);
        assertThat(operator.post(endpoints() + "/" + early + "/test", Map.of()).status()).isEqualTo(202);
        receiver.next(WAIT);
        OffsetDateTime hourAgo = OffsetDateTime.now().minusHours(1);

        // added after them: the host events, but not the one whose payload was deleted, nor the test event
        String late = createEndpoint(Map.of("url", receiver.url("/late"), "eventTypes", List.of("host.*")))
                .get("id").asText();
        Api.Response replayed = replay(late, Map.of("since", hourAgo.toString()));
        assertThat(replayed.status()).as(replayed.text()).isEqualTo(202);
        assertThat(replayed.json().get("replayed").asInt()).isEqualTo(2);
        assertThat(replayed.json().get("nextSince").isNull()).isTrue();
        List<Received> got = new ArrayList<>(List.of(receiver.next(WAIT), receiver.next(WAIT)));
        assertThat(got).extracting(Received::path).containsOnly("/late");
        List<String> gotEvents = new ArrayList<>();
        for (Received post : got) {
            gotEvents.add(eventIdOf(post));
        }
        assertThat(gotEvents).containsExactlyInAnyOrder(offline, online);
        JsonNode attempts = operator.get(endpoints() + "/" + late + "/attempts").json().get("data");
        assertThat(attempts).extracting(a -> a.get("trigger").asText()).containsOnly("manual");

        // again: nothing is missing any more; the early endpoint never missed any
        assertThat(replay(late, Map.of("since", hourAgo.toString())).json().get("replayed").asInt()).isZero();
        assertThat(replay(early, Map.of("since", hourAgo.toString())).json().get("replayed").asInt()).isZero();

        // a payload filter and a window are kept to: the high one only, of those at or after it
        String filtered = createEndpoint(Map.of("url", receiver.url("/high"), "eventTypes", List.of("host.*"),
                "filter", "$[?(@.data.severity == 'high')]")).get("id").asText();
        String onlineAt = db.queryForObject("SELECT created_at FROM events WHERE account_id = ? AND id = ?",
                OffsetDateTime.class, account, online).toString();
        assertThat(replay(filtered, Map.of("since", onlineAt)).json().get("replayed").asInt()).isEqualTo(1);
        assertThat(eventIdOf(receiver.next(WAIT))).isEqualTo(online);
        assertThat(replay(filtered, Map.of("since", hourAgo.toString(), "until", onlineAt)).json().get("replayed")
                .asInt()).as("the low one before it does not match").isZero();
        assertThat(receiver.drain(Duration.ofMillis(500))).isEmpty();

        // refused: a disabled endpoint (409), no since or an empty window (400), another account's endpoint (404)
        assertThat(operator.patch(endpoints() + "/" + filtered, Map.of("active", false)).status()).isEqualTo(200);
        assertProblem(replay(filtered, Map.of("since", hourAgo.toString())), 409, "enable it");
        assertProblem(replay(late, Map.of()), 400, "'since' is required");
        assertProblem(replay(late, Map.of("since", hourAgo.toString(), "until", hourAgo.toString())), 400,
                "'until' must be after 'since'");
        assertProblem(operator.post("/api/v1/accounts/" + account + "/endpoints/ep_missing/replay-missing",
                Map.of("since", hourAgo.toString())), 404, "No endpoint");
    }

    @Test
    void a_replay_racing_payload_deletions_leaves_no_delivery_of_a_deleted_payload_waiting() throws Exception {
        // slow on purpose (one a second): what is left waiting is counted, not what is sent
        String id = createEndpoint(Map.of("url", receiver.url("/race"), "rateLimit", 1)).get("id").asText();
        OffsetDateTime start = OffsetDateTime.now().minusMinutes(10).truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        List<Object[]> events = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            OffsetDateTime at = start.plusNanos(i * 1000L);
            ids.add(0, "evt_race_" + i); // deleted newest first, against the replay's oldest first
            events.add(new Object[] {account, "evt_race_" + i, "host.offline", at,
                    "{\"id\":\"evt_race_" + i + "\",\"type\":\"host.offline\",\"data\":{}}", "api", at});
        }
        db.batchUpdate("INSERT INTO events (account_id, id, type, occurred_at, payload, source, created_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?)", events);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(9);
        try {
            java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
            List<java.util.concurrent.Future<?>> deleters = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                deleters.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < ids.size(); i = next.getAndIncrement()) {
                        int status = operator.delete("/api/v1/accounts/" + account + "/events/" + ids.get(i)
                                + "/payload").status();
                        assertThat(status).isEqualTo(204);
                    }
                }));
            }
            Thread.sleep(100);
            Api.Response replayed = pool.submit(() -> replay(id, Map.of("since", start.toString()))).get();
            assertThat(replayed.status()).as(replayed.text()).isEqualTo(202);
            for (java.util.concurrent.Future<?> deleter : deleters) {
                deleter.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(count("SELECT COUNT(*) FROM events WHERE account_id = ? AND payload_deleted_at IS NULL", account))
                .isZero();
        assertThat(count("SELECT COUNT(*) FROM deliveries WHERE endpoint_id = ? AND status IN ('pending', 'held')", id))
                .as("deliveries of deleted payloads left to be sent").isZero();
        assertThat(operator.delete(endpoints() + "/" + id).status()).isEqualTo(204);
    }

    @Test
    void a_window_of_more_than_one_request_makes_says_where_the_next_one_goes_on() throws Exception {
        // slow on purpose (one a second): the deliveries made here are counted, not waited for
        String id = createEndpoint(Map.of("url", receiver.url("/many"), "rateLimit", 1)).get("id").asText();
        OffsetDateTime start = OffsetDateTime.now().minusMinutes(10).truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        List<Object[]> events = new ArrayList<>();
        for (int i = 0; i <= MissedEvents.MAX_PER_REQUEST; i++) {
            OffsetDateTime at = start.plusNanos(i * 1000L);
            events.add(new Object[] {account, "evt_many_" + i, "host.offline", at,
                    "{\"id\":\"evt_many_" + i + "\",\"type\":\"host.offline\",\"data\":{}}", "api", at});
        }
        db.batchUpdate("INSERT INTO events (account_id, id, type, occurred_at, payload, source, created_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?)", events);

        JsonNode first = replay(id, Map.of("since", start.minusSeconds(1).toString())).json();
        assertThat(first.get("replayed").asInt()).isEqualTo(MissedEvents.MAX_PER_REQUEST);
        OffsetDateTime last = start.plusNanos(MissedEvents.MAX_PER_REQUEST * 1000L);
        assertThat(OffsetDateTime.parse(first.get("nextSince").asText())).isEqualTo(last);
        JsonNode second = replay(id, Map.of("since", first.get("nextSince").asText())).json();
        assertThat(second.get("replayed").asInt()).isEqualTo(1);
        assertThat(second.get("nextSince").isNull()).isTrue();
        assertThat(count("SELECT COUNT(DISTINCT event_id) FROM deliveries WHERE endpoint_id = ?", id))
                .isEqualTo(MissedEvents.MAX_PER_REQUEST + 1);
        assertThat(operator.delete(endpoints() + "/" + id).status()).isEqualTo(204);
    }
}

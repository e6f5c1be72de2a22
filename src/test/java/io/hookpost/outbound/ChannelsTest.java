package io.hookpost.outbound;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookpost.support.Api;
import io.hookpost.support.HookpostTest;
import io.hookpost.support.TestReceiver.Received;
import org.apache.camel.ConsumerTemplate;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Channels (as Svix's): an endpoint listening on channels gets only the events published to one of them; an endpoint
 * listening on none gets the events of its types whatever their channels. They choose endpoints and are never sent.
 */
class ChannelsTest extends HookpostTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    ProducerTemplate producer;
    @Autowired
    ConsumerTemplate consumer;

    private String events() {
        return "/api/v1/accounts/" + account + "/events";
    }

    private String endpoint(String id) {
        return "/api/v1/accounts/" + account + "/endpoints/" + id;
    }

    private String endpointOn(String path, List<String> channels) {
        Map<String, Object> request = new java.util.HashMap<>(Map.of("url", receiver.url(path)));
        if (channels != null) {
            request.put("channels", channels);
        }
        return createEndpoint(request).get("id").asText();
    }

    private void waitForEvents(int n) throws InterruptedException {
        eventually(() -> count("SELECT COUNT(*) FROM events WHERE account_id = ?", account) == n,
                n + " events are recorded");
    }

    private List<Object> endpointsOf(String eventId) {
        return deliveriesOf(eventId).stream().map(d -> d.get("endpoint_id")).toList();
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void an_event_goes_to_the_endpoints_listening_on_one_of_its_channels_and_to_those_listening_on_none()
            throws Exception {
        String project1 = endpointOn("/project-1", List.of("project_1"));
        String project2 = endpointOn("/project-2", List.of("project_2"));
        String everything = endpointOn("/all", null);
        String groupOrProject3 = endpointOn("/group-9", List.of("group:9", "project_3"));

        String both = publish(Map.of("type", "build.failed", "channels", List.of("project_1", "group:9"),
                "data", Map.of("build", 1)));
        String none = publish(Map.of("type", "build.failed", "data", Map.of("build", 2)));
        String other = publish(Map.of("type", "build.failed", "channels", List.of("project_4"), "data", Map.of("build", 3)));
        waitForEvents(3);

        assertThat(endpointsOf(both)).containsExactlyInAnyOrder(project1, everything, groupOrProject3);
        assertThat(endpointsOf(none)).containsExactly(everything);
        assertThat(endpointsOf(other)).containsExactly(everything);
        assertThat(endpointsOf(both)).doesNotContain(project2);

        // what the receivers got: the envelope, without the channels
        List<Received> posts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            posts.add(receiver.next(WAIT));
        }
        assertThat(posts).extracting(Received::path)
                .containsExactlyInAnyOrder("/project-1", "/all", "/group-9", "/all", "/all");
        for (Received post : posts) {
            assertThat(JSON.readTree(post.body()).properties()).extracting(Map.Entry::getKey)
                    .containsExactly("id", "type", "timestamp", "data");
        }

        // shown on the event, and the list narrowed to a channel ('_' is a character, not LIKE's any character)
        assertThat(texts(operator.get(events() + "/" + both).json().get("channels")))
                .containsExactly("project_1", "group:9");
        assertThat(operator.get(events() + "/" + none).json().get("channels")).isEmpty();
        JsonNode listed = operator.get(events() + "?channel=group:9").json().get("data");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).get("id").asText()).isEqualTo(both);
        assertThat(texts(listed.get(0).get("channels"))).containsExactly("project_1", "group:9");
        assertThat(operator.get(events() + "?channel=project_4").json().get("data")).extracting(e -> e.get("id").asText())
                .containsExactly(other);
        assertThat(operator.get(events() + "?channel=project").json().get("data")).isEmpty();
        assertThat(operator.get(events() + "?channel=projectX4").json().get("data")).isEmpty();
        assertThat(operator.get(events()).json().get("data")).hasSize(3);
    }

    @Test
    void an_endpoints_channels_are_shown_changed_by_a_patch_and_removed_by_null() throws Exception {
        JsonNode created = createEndpoint(Map.of("url", receiver.url("/ep"),
                "channels", List.of("team_b", "team_a", "team_b")));
        String id = created.get("id").asText();
        assertThat(texts(created.get("channels"))).containsExactly("team_b", "team_a");
        assertThat(texts(operator.get(endpoint(id)).json().get("channels"))).containsExactly("team_b", "team_a");

        Api.Response patched = operator.patch(endpoint(id), Map.of("channels", List.of("team_c")));
        assertThat(patched.status()).as(patched.text()).isEqualTo(200);
        assertThat(texts(patched.json().get("channels"))).containsExactly("team_c");
        assertThat(texts(operator.patch(endpoint(id), Map.of("description", "CI")).json().get("channels")))
                .containsExactly("team_c");
        String toTeamA = publish(Map.of("type", "build.failed", "channels", List.of("team_a"), "data", Map.of()));
        waitForEvents(1);
        assertThat(endpointsOf(toTeamA)).doesNotContain(id);

        Map<String, Object> removed = new java.util.HashMap<>();
        removed.put("channels", null);
        assertThat(operator.patch(endpoint(id), removed).json().get("channels")).isEmpty();
        assertThat(db.queryForObject("SELECT channels FROM endpoints WHERE id = ?", String.class, id)).isNull();
        String again = publish(Map.of("type", "build.failed", "channels", List.of("team_a"), "data", Map.of()));
        waitForEvents(2);
        assertThat(endpointsOf(again)).contains(id);
        assertThat(operator.patch(endpoint(id), Map.of("channels", List.of())).json().get("channels")).isEmpty();
    }

    @Test
    void bad_channels_get_400_and_change_nothing() throws Exception {
        String id = endpointOn("/ep", List.of("team_a"));
        List<String> eleven = IntStream.range(0, 11).mapToObj(i -> "c" + i).toList();
        List<Object> bad = List.of("team_a", List.of("a b"), List.of(1), List.of(""), eleven,
                List.of(String.join("", Collections.nCopies(129, "x"))), List.of("ünïcode"), Map.of("a", "b"));
        for (Object channels : bad) {
            assertProblem(operator.post(events(), Map.of("type", "build.failed", "channels", channels, "data", Map.of())),
                    400, "'channels' is a list of at most 10 names");
            assertProblem(operator.post("/api/v1/accounts/" + account + "/endpoints",
                    Map.of("url", receiver.url("/bad"), "channels", channels)), 400, "'channels");
            assertProblem(operator.patch(endpoint(id), Map.of("channels", channels, "description", "changed")),
                    400, "'channels");
        }
        List<Object> withNull = new ArrayList<>();
        withNull.add(null);
        assertProblem(operator.post(events(), Map.of("type", "build.failed", "channels", withNull, "data", Map.of())),
                400, "'channels'");
        assertProblem(operator.patch(endpoint(id), Map.of("channels", withNull)), 400, "'channels");
        assertProblem(operator.get(events() + "?channel=a%20b"), 400, "'channel' is a channel's name");

        assertThat(count("SELECT COUNT(*) FROM endpoints WHERE account_id = ?", account)).isEqualTo(1);
        JsonNode unchanged = operator.get(endpoint(id)).json();
        assertThat(texts(unchanged.get("channels"))).containsExactly("team_a");
        assertThat(unchanged.get("description").isNull()).isTrue();
        Thread.sleep(300); // nothing queued: no event is recorded
        assertThat(count("SELECT COUNT(*) FROM events WHERE account_id = ?", account)).isZero();
        assertThat(receiver.takeAll()).isEmpty();
    }

    @Test
    void events_put_on_the_queue_carry_channels_and_bad_ones_are_parked() throws Exception {
        String listening = endpointOn("/listening", List.of("project_1"));
        producer.sendBody("jms:queue:hookpost.events", ("{\"account\":\"" + account + "\",\"id\":\"q-1\","
                + "\"type\":\"build.failed\",\"channels\":[\"project_1\"],\"data\":{}}").getBytes());
        Received post = receiver.next(WAIT);
        assertThat(post.path()).isEqualTo("/listening");
        assertThat(post.bodyText()).startsWith("{\"id\":\"q-1\",").doesNotContain("channels");
        assertThat(endpointsOf("q-1")).containsExactly(listening);
        assertThat(db.queryForObject("SELECT channels FROM events WHERE account_id = ? AND id = 'q-1'", String.class,
                account)).isEqualTo("project_1");

        String bad = "{\"account\":\"" + account + "\",\"id\":\"q-2\",\"type\":\"build.failed\",\"channels\":\"project_1\","
                + "\"data\":{}}";
        producer.sendBody("jms:queue:hookpost.events", bad.getBytes());
        assertThat(consumer.receiveBody("jms:queue:hookpost.events.invalid", WAIT.toMillis(), String.class))
                .isEqualTo(bad);
        assertThat(count("SELECT COUNT(*) FROM events WHERE account_id = ?", account)).isEqualTo(1);
    }

    @Test
    void replay_missing_gives_an_endpoint_added_later_only_the_events_of_its_channels() throws Exception {
        String mine = publish(Map.of("type", "build.failed", "channels", List.of("project_1"), "data", Map.of("n", 1)));
        publish(Map.of("type", "build.failed", "channels", List.of("project_2"), "data", Map.of("n", 2)));
        publish(Map.of("type", "build.failed", "data", Map.of("n", 3)));
        waitForEvents(3);

        String late = endpointOn("/late", List.of("project_1"));
        Api.Response replayed = operator.post(endpoint(late) + "/replay-missing",
                Map.of("since", OffsetDateTime.now().minusHours(1).toString()));
        assertThat(replayed.status()).as(replayed.text()).isEqualTo(202);
        assertThat(replayed.json().get("replayed").asInt()).isEqualTo(1);
        assertThat(JSON.readTree(receiver.next(WAIT).body()).get("id").asText()).isEqualTo(mine);
        assertThat(receiver.drain(Duration.ofMillis(500))).isEmpty();
    }
}

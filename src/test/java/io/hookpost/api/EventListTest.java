package io.hookpost.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookpost.support.Api;
import io.hookpost.support.HookpostTest;
import io.hookpost.support.TestReceiver.Reply;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET …/events}: what an account published, newest first, with what became of each event's deliveries. */
class EventListTest extends HookpostTest {

    private String events() {
        return "/api/v1/accounts/" + account + "/events";
    }

    /** Every id of the list, page by page (at most {@code limit} an answer) until there is no next cursor. */
    private List<String> idsPaged(String query, int limit, int expectedPages) {
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Api.Response page = operator.get(events() + "?limit=" + limit + query
                    + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(page.status()).as(page.text()).isEqualTo(200);
            assertThat(page.json().get("data").size()).isLessThanOrEqualTo(limit);
            page.json().get("data").forEach(e -> seen.add(e.get("id").asText()));
            cursor = page.json().get("nextCursor").isNull() ? null : page.json().get("nextCursor").asText();
            pages++;
        } while (cursor != null);
        assertThat(pages).isEqualTo(expectedPages);
        return seen;
    }

    /** Publishes an event and waits until the fan-out has recorded it (after the 202). */
    private String published(Map<String, Object> event) throws InterruptedException {
        String id = publish(event);
        eventually(() -> count("SELECT COUNT(*) FROM events WHERE account_id = ? AND id = ?", account, id) == 1,
                "event " + id + " recorded");
        return id;
    }

    @Test
    void events_are_listed_newest_first_with_their_deliveries_counted_and_paged_by_cursor() throws Exception {
        receiver.answer(r -> r.path().equals("/bad") ? Reply.status(400) : Reply.ok());
        createEndpoint(Map.of("url", receiver.url("/good")));
        // five events of two attempts each would reach the default ten failures, and hold the last ones
        createEndpoint(Map.of("url", receiver.url("/bad"), "retrySchedule", List.of("0s"),
                "disableAfterFailures", 50));
        // an id of 200 characters, the longest an event may have, at a page boundary: the cursor names it
        String longId = "evt-" + "x".repeat(196);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Map<String, Object> event = i == 2
                    ? Map.of("id", longId, "type", "host.offline", "data", Map.of("n", i))
                    : Map.of("type", "host.offline", "data", Map.of("n", i));
            ids.add(publish(event));
        }
        eventually(() -> count("SELECT COUNT(*) FROM deliveries WHERE account_id = ? AND status IN ('delivered',"
                + " 'failed')", account) == 10, "every delivery settled");
        // oldest first; the second and third accepted in the same microsecond (the id decides between them)
        int[] minutesAgo = {50, 40, 40, 30, 20};
        for (int i = 0; i < ids.size(); i++) {
            db.update("UPDATE events SET created_at = DATEADD('MINUTE', ?, TIMESTAMP WITH TIME ZONE"
                    + " '2026-12-06 12:00:00+00') WHERE account_id = ? AND id = ?",
                    -minutesAgo[i], account, ids.get(i));
        }
        String second = ids.get(1).compareTo(ids.get(2)) > 0 ? ids.get(1) : ids.get(2);
        String third = second.equals(ids.get(1)) ? ids.get(2) : ids.get(1);

        assertThat(idsPaged("", 2, 3)).containsExactly(ids.get(4), ids.get(3), second, third, ids.get(0));
        assertThat(idsPaged("", 100, 1)).hasSize(5);

        JsonNode first = operator.get(events() + "?limit=1").json().get("data").get(0);
        assertThat(first.get("id").asText()).isEqualTo(ids.get(4));
        assertThat(first.get("type").asText()).isEqualTo("host.offline");
        assertThat(first.get("source").asText()).isEqualTo("api");
        assertThat(first.get("createdAt").asText()).isEqualTo("2026-12-06T11:40:00Z");
        assertThat(first.has("timestamp")).isTrue();
        assertThat(first.has("payload")).as("the list leaves payloads to the event's own GET").isFalse();
        JsonNode counts = first.get("deliveryCounts");
        assertThat(counts.get("delivered").asInt()).isEqualTo(1);
        assertThat(counts.get("failed").asInt()).isEqualTo(1);
        assertThat(counts.get("pending").asInt() + counts.get("held").asInt() + counts.get("discarded").asInt())
                .isZero();
    }

    @Test
    void events_are_narrowed_by_type_or_wildcard_and_by_when_they_were_accepted() throws Exception {
        String offline = published(Map.of("type", "host.offline", "data", Map.of()));
        String online = published(Map.of("type", "host.online", "data", Map.of()));
        String ticket = published(Map.of("type", "ticket_a.created", "data", Map.of()));
        // '_' is a LIKE wildcard: 'ticket_a.*' must not take this one
        String lookalike = published(Map.of("type", "ticketxa.created", "data", Map.of()));
        db.update("UPDATE events SET created_at = TIMESTAMP WITH TIME ZONE '2026-12-01 00:00:00+00'"
                + " WHERE account_id = ? AND id = ?", account, offline);

        assertThat(idsPaged("&type=host.offline", 10, 1)).containsExactly(offline);
        assertThat(idsPaged("&type=host.*", 10, 1)).containsExactlyInAnyOrder(offline, online);
        assertThat(idsPaged("&type=ticket_a.*", 10, 1)).containsExactly(ticket);
        assertThat(idsPaged("&type=*", 10, 1)).containsExactlyInAnyOrder(offline, online, ticket, lookalike);
        assertThat(idsPaged("&type=host.*&since=2026-12-02T00:00:00Z", 10, 1)).containsExactly(online);
        assertThat(idsPaged("&until=2026-12-02T00:00:00Z", 10, 1)).containsExactly(offline);
        assertThat(idsPaged("&since=2026-11-30T00:00:00Z&until=2026-12-01T00:00:00.000001Z", 10, 1))
                .containsExactly(offline);
        assertThat(idsPaged("&type=agent.online", 10, 1)).isEmpty();

        // another account's events are not in this one's list
        String other = "acct-other-" + account.substring(5);
        assertThat(operator.post("/api/v1/accounts", Map.of("name", "Other", "id", other)).status()).isEqualTo(201);
        assertThat(operator.post("/api/v1/accounts/" + other + "/events",
                Map.of("type", "host.offline", "data", Map.of())).status()).isEqualTo(202);
        assertThat(idsPaged("", 10, 1)).hasSize(4);
    }

    @Test
    void bad_filters_and_cursors_get_a_problem_and_someone_elses_account_is_not_found() throws Exception {
        published(Map.of("type", "host.offline", "data", Map.of()));
        assertProblem(operator.get(events() + "?type=host.**"), 400, "'type'");
        assertProblem(operator.get(events() + "?type=" + "a".repeat(201)), 400, "'type'");
        assertProblem(operator.get(events() + "?since=yesterday"), 400, "'since'");
        assertProblem(operator.get(events() + "?until=2026-13-01T00:00:00Z"), 400, "'until'");
        assertProblem(operator.get(events() + "?since=2026-12-02T00:00:00Z&until=2026-12-01T00:00:00Z"), 400,
                "after 'since'");
        assertProblem(operator.get(events() + "?limit=0"), 400, "'limit'");
        assertProblem(operator.get(events() + "?limit=101"), 400, "'limit'");
        assertProblem(operator.get(events() + "?cursor=not-a-cursor"), 400, "'cursor'");
        assertProblem(operator.get("/api/v1/accounts/acct-nobody/events"), 404, "No account");
        assertProblem(operator.withKey("hpk_not-a-key").get(events()), 401, "not valid");

        String key = operator.post("/api/v1/accounts/" + account + "/portal-access", Map.of("readOnly", true))
                .json().get("token").asText();
        Api.Response listed = operator.withKey(key).get(events());
        assertThat(listed.status()).as("a read-only portal session looks at events").isEqualTo(200);
        assertThat(listed.json().get("data")).hasSize(1);
    }
}

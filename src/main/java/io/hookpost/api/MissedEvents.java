package io.hookpost.api;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.hookpost.Ids;
import io.hookpost.outbound.Channels;
import io.hookpost.outbound.PayloadFilter;
import org.apache.camel.Body;
import org.apache.camel.Header;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * {@code POST …/endpoints/{endpointId}/replay-missing {since, until?}}: the account's events of that window that the
 * endpoint subscribes to now (types, categories, channels, payload filter) and never got a delivery of (added since,
 * subscribed since, or deleted and added again) get one, due now, as Svix's "replay missing". Deliveries it had, however
 * they ended, are left alone (recover sends the failed and held ones again); test events and events whose payload was
 * deleted are not replayed. Oldest first, at most {@link #MAX_PER_REQUEST} a request: {@code nextSince} goes on.
 */
@Component("missedEvents")
public class MissedEvents {
    /** Deliveries one request makes at most: one transaction, a bounded time; the answer says where to go on. */
    static final int MAX_PER_REQUEST = 10_000;
    /** Events read at a time: each row may hold a payload of up to hookpost.events.max-payload-bytes. */
    private static final int CHUNK = 100;
    /** The account's events of the window, after a (created_at, id), that the endpoint subscribes to and never got. */
    private static final String CANDIDATES = "SELECT ev.id, ev.created_at, ev.channels, %s AS payload FROM events ev"
            + " WHERE ev.account_id = ? AND ev.created_at >= ? AND ev.created_at < ?"
            + " AND (ev.created_at > ? OR (ev.created_at = ? AND ev.id > ?))"
            + " AND ev.payload_deleted_at IS NULL AND ev.source <> 'test'"
            + " AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.account_id = ev.account_id AND d.event_id = ev.id"
            + " AND d.endpoint_id = ?)"
            // as subscribed-endpoints.sql matches a new event: a type, a wildcard's prefix, or a category
            + " AND (EXISTS (SELECT 1 FROM endpoint_event_types t WHERE t.endpoint_id = ? AND (t.pattern = ev.type"
            + " OR (t.prefix IS NOT NULL AND LEFT(ev.type, LENGTH(t.prefix)) = t.prefix)))"
            + " OR EXISTS (SELECT 1 FROM endpoint_categories c JOIN event_types et ON et.category = c.category"
            + " WHERE c.endpoint_id = ? AND et.name = ev.type))"
            + " ORDER BY ev.created_at, ev.id LIMIT ?";

    private final JdbcTemplate jdbc;
    private final RequestBodies bodies;
    private final PayloadFilter filters;

    public MissedEvents(JdbcTemplate jdbc, RequestBodies bodies, PayloadFilter filters) {
        this.jdbc = jdbc;
        this.bodies = bodies;
        this.filters = filters;
    }

    /**
     * Of these events, those whose payload is still there, their rows locked until the deliveries are made: a payload
     * DELETE (EventPayloads takes the same lock) either committed before, and the event is left out, or waits and then
     * discards its new delivery with its others. Read after the lock, by a statement of its own, so that it sees what
     * such a DELETE committed while this one waited (audit: a replay racing DELETEs left deliveries pending with
     * nothing to send).
     */
    private List<Object> stillWithPayload(String account, List<Object> eventIds) {
        if (eventIds.isEmpty()) {
            return eventIds;
        }
        String in = String.join(", ", java.util.Collections.nCopies(eventIds.size(), "?"));
        List<Object> args = new ArrayList<>(List.of(account));
        args.addAll(eventIds);
        jdbc.queryForList("SELECT id FROM events WHERE account_id = ? AND id IN (" + in + ") FOR UPDATE",
                String.class, args.toArray());
        return new ArrayList<>(jdbc.queryForList("SELECT id FROM events WHERE account_id = ? AND id IN (" + in
                + ") AND payload_deleted_at IS NULL ORDER BY created_at, id", String.class, args.toArray()));
    }

    @Transactional
    public Map<String, Object> replay(@Header("acct") String account, @Header("endpointId") String id,
                                      @Body byte[] body) throws IOException {
        EndpointApi.Recover window = bodies.read(body, EndpointApi.Recover.class);
        OffsetDateTime until = window.end();
        OffsetDateTime since = window.start(until);
        // locked: two replays of one endpoint at once would make the same deliveries (and a PATCH waits for it)
        List<Map<String, Object>> endpoints = jdbc.queryForList("SELECT id AS endpoint_id, active, envelope,"
                + " filter_expression, channels FROM endpoints WHERE account_id = ? AND id = ? AND deleted_at IS NULL"
                + " FOR UPDATE", account, id);
        if (endpoints.isEmpty()) {
            throw ProblemException.notFound("No endpoint '" + id + "' in account '" + account + "'.");
        }
        Map<String, Object> endpoint = endpoints.get(0);
        if (!Boolean.TRUE.equals(endpoint.get("active"))) {
            throw ProblemException.conflict("The endpoint is disabled; enable it before replaying events to it.");
        }
        boolean filtered = endpoint.get("filter_expression") != null;
        String candidates = CANDIDATES.formatted(filtered ? "ev.payload" : "NULL");
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        OffsetDateTime afterAt = since; // every event from since on: ids are never empty
        String afterId = "";
        int replayed = 0;
        OffsetDateTime nextSince = null;
        while (nextSince == null) {
            List<Map<String, Object>> events = jdbc.queryForList(candidates, account, since, until, afterAt, afterAt,
                    afterId, id, id, id, CHUNK);
            List<Object> chosen = new ArrayList<>();
            for (Map<String, Object> event : events) {
                afterAt = Views.time(event.get("created_at"));
                afterId = (String) event.get("id");
                if (!Channels.matches(endpoint.get("channels"), event.get("channels"))
                        || filtered && filters.select(List.of(endpoint), event).isEmpty()) {
                    continue;
                }
                if (replayed + chosen.size() == MAX_PER_REQUEST) {
                    nextSince = afterAt; // this one and what follows: the next request's (a repeat is skipped)
                    break;
                }
                chosen.add(event.get("id"));
            }
            List<Object[]> deliveries = new ArrayList<>();
            for (Object eventId : stillWithPayload(account, chosen)) {
                deliveries.add(new Object[] {Ids.next("msg"), account, eventId, id, endpoint.get("envelope"), now, now,
                        now});
            }
            replayed += deliveries.size();
            // due now and unclaimed: the retry scheduler sends them, at the pace the endpoint allows
            jdbc.batchUpdate("INSERT INTO deliveries (id, account_id, event_id, endpoint_id, envelope, status,"
                    + " attempts, next_attempt_at, created_at, updated_at, trigger_kind)"
                    + " VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, 'manual')", deliveries);
            if (events.size() < CHUNK) {
                break;
            }
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("replayed", replayed);
        answer.put("nextSince", Views.instant(nextSince));
        return answer;
    }
}

package io.hookpost;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.standardwebhooks.Webhook;
import io.hookpost.support.Api;
import io.hookpost.support.HookpostTest;
import io.hookpost.support.TestReceiver.Received;
import io.hookpost.support.TestReceiver.Reply;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * The README's story, from REST ingest to a real receiver: create an endpoint, publish an event, and the
 * receiver gets one signed POST it can verify; the database shows the event, the delivery and the attempt.
 * Runs on the embedded H2 here and on PostgreSQL in {@link EndToEndPostgresTest}.
 */
class EndToEndTest extends HookpostTest {

    @Test
    void a_published_event_reaches_every_subscribed_endpoint_signed_and_recorded() throws Exception {
        JsonNode first = createEndpoint(Map.of("url", receiver.url("/first"), "eventTypes", List.of("host.*"),
                "description", "ops pager"));
        JsonNode second = createEndpoint(Map.of("url", receiver.url("/second"), "eventTypes", List.of("host.offline"),
                "signatureScheme", "hmac-sha256-hex", "signatureHeader", "X-Webhook-Signature"));
        assertThat(first.get("secret").asText()).startsWith("whsec_");
        assertThat(first.get("active").asBoolean()).isTrue();
        assertThat(first.get("createdAt").asText()).isNotBlank();

        Api.Response listed = operator.get("/api/v1/accounts/" + account + "/endpoints");
        assertThat(listed.json()).extracting(n -> n.get("id").asText())
                .containsExactly(first.get("id").asText(), second.get("id").asText());

        String eventId = publish(Map.of("type", "host.offline", "data", Map.of("host", "web-1")));

        Received a = receiver.next(WAIT);
        Received b = receiver.next(WAIT);
        Received standard = a.path().equals("/first") ? a : b;
        Received hex = a.path().equals("/first") ? b : a;
        assertThatNoException().isThrownBy(() ->
                new Webhook(first.get("secret").asText()).verify(standard.bodyText(), standard.headers()));
        assertThat(hex.header("x-webhook-signature")).isEqualTo(
                io.hookpost.outbound.WebhookSigner.hex(second.get("secret").asText(), hex.body()));
        assertThat(standard.body()).isEqualTo(hex.body()); // one envelope, byte for byte
        assertThat(standard.header("webhook-id")).isNotEqualTo(hex.header("webhook-id"));

        eventually(() -> deliveriesOf(eventId).stream().allMatch(d -> "delivered".equals(d.get("status")))
                && deliveriesOf(eventId).size() == 2, "both deliveries are delivered");
        assertThat(count("SELECT COUNT(*) FROM attempts a JOIN deliveries d ON d.id = a.delivery_id"
                + " WHERE d.account_id = ? AND d.event_id = ? AND a.response_status = 200", account, eventId)).isEqualTo(2);
        assertThat(db.queryForObject("SELECT payload FROM events WHERE account_id = ? AND id = ?", String.class,
                account, eventId)).isEqualTo(standard.bodyText());
        // one delivery and its attempts, as the API shows them, on each database
        String delivery = "/api/v1/accounts/" + account + "/deliveries/" + standard.header("webhook-id");
        assertThat(operator.get(delivery).json().get("status").asText()).isEqualTo("delivered");
        JsonNode tries = operator.get(delivery + "/attempts?limit=1").json();
        assertThat(tries.at("/data/0/id").asText()).isEqualTo(standard.header("X-Webhook-Delivery"));
        assertThat(tries.at("/data/0/requestBody").asText()).isEqualTo(standard.bodyText());
        assertThat(tries.get("nextCursor").isNull()).isTrue();

        // the events list's SQL on each database: a wildcard holding '_', the window, the cursor, the counts
        String unsent = publish(Map.of("type", "ticket_a.created", "data", Map.of()));
        eventually(() -> count("SELECT COUNT(*) FROM events WHERE account_id = ? AND id = ?", account, unsent) == 1,
                "the second event recorded (the fan-out records it after the 202)");
        String events = "/api/v1/accounts/" + account + "/events?limit=1&since="
                + java.time.Instant.now().minusSeconds(3600);
        JsonNode newest = operator.get(events).json();
        assertThat(newest.get("data").get(0).get("id").asText()).isEqualTo(unsent);
        JsonNode older = operator.get(events + "&cursor=" + newest.get("nextCursor").asText()).json();
        assertThat(older.get("data").get(0).get("id").asText()).isEqualTo(eventId);
        assertThat(older.get("data").get(0).get("deliveryCounts").get("delivered").asInt()).isEqualTo(2);
        assertThat(older.get("nextCursor").isNull()).isTrue();
        assertThat(operator.get(events + "&type=ticket_a.*").json().get("data")).extracting(e -> e.get("id").asText())
                .containsExactly(unsent);
        assertThat(operator.get(events + "&type=host.*").json().get("data")).extracting(e -> e.get("id").asText())
                .containsExactly(eventId);

        // the endpoint's hourly series on each database: EXTRACT(EPOCH …) buckets
        JsonNode hourly = operator.get("/api/v1/accounts/" + account + "/endpoints/" + first.get("id").asText()
                + "/stats?interval=hour").json();
        assertThat(hourly.get("series").size()).isBetween(24, 25);
        long succeeded = 0;
        for (JsonNode point : hourly.get("series")) {
            succeeded += point.get("succeeded").asLong();
        }
        assertThat(succeeded).isEqualTo(1);
        // in the UTC hour the attempt was made, whatever the database session's time zone
        OffsetDateTime attempted = db.queryForObject("SELECT created_at FROM attempts WHERE endpoint_id = ?",
                OffsetDateTime.class, first.get("id").asText());
        String hour = attempted.withOffsetSameInstant(ZoneOffset.UTC).truncatedTo(java.time.temporal.ChronoUnit.HOURS)
                .toInstant().toString();
        assertThat(hourly.get("series")).filteredOn(p -> p.get("succeeded").asLong() == 1)
                .extracting(p -> p.get("start").asText()).containsExactly(hour);

        // replay-missing's SQL on each database: an endpoint added after the event gets it, once
        String late = createEndpoint(Map.of("url", receiver.url("/late"), "eventTypes", List.of("host.*")))
                .get("id").asText();
        String replay = "/api/v1/accounts/" + account + "/endpoints/" + late + "/replay-missing";
        String hourAgo = java.time.Instant.now().minusSeconds(3600).toString();
        assertThat(operator.post(replay, Map.of("since", hourAgo)).json().get("replayed").asInt()).isEqualTo(1);
        Received replayed = receiver.next(WAIT);
        assertThat(replayed.path()).isEqualTo("/late");
        assertThat(replayed.body()).isEqualTo(standard.body());
        assertThat(operator.post(replay, Map.of("since", hourAgo)).json().get("replayed").asInt()).isZero();

        // a payload deleted (V15: payload nullable, payload_deleted_at) on each database; a retry refused under its
        // lock
        String eventPath = "/api/v1/accounts/" + account + "/events/" + eventId;
        assertThat(operator.delete(eventPath + "/payload").status()).isEqualTo(204);
        assertThat(operator.get(eventPath).json().get("payload").isNull()).isTrue();
        assertThat(operator.get(delivery + "/attempts").json().at("/data/0/requestBody").isNull()).isTrue();
        assertProblem(operator.post(delivery + "/retry", Map.of()), 409, "payload was deleted");
    }

    @Test
    void a_portal_link_reaches_only_the_portal_until_it_expires_and_its_key_goes_with_the_next_link() {
        // the keys' expiry and scope (V12) on each database; io.hookpost.api.PortalAccessTest has the whole story
        String accountPath = "/api/v1/accounts/" + account;
        String key = operator.post(accountPath + "/portal-access", Map.of("expiry", 600)).json().get("token").asText();
        Api session = operator.withKey(key);
        assertThat(session.get(accountPath + "/endpoints").status()).isEqualTo(200);
        assertProblem(session.post(accountPath + "/api-keys", Map.of()), 403, "portal session");

        db.update("UPDATE api_keys SET expires_at = ? WHERE account_id = ? AND scope IS NOT NULL",
                OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(1), account);
        assertProblem(session.get(accountPath + "/endpoints"), 401, "not valid");
        String next = operator.post(accountPath + "/portal-access", Map.of()).json().get("token").asText();
        assertThat(operator.withKey(next).get(accountPath + "/endpoints").status()).isEqualTo(200);
        assertThat(count("SELECT COUNT(*) FROM api_keys WHERE account_id = ? AND scope IS NOT NULL", account))
                .as("the ended session's key went as the next one started").isEqualTo(1);
    }

    @Test
    void a_catalog_types_example_is_kept_changed_and_sent_by_a_test_of_the_type() throws Exception {
        // the example column (V13) on each database, its numbers as written; EventTypeApiTest has the whole story
        String type = account + ".scan.completed";
        Api.Response created = operator.post("/api/v1/event-types", "{\"name\":\"" + type + "\",\"example\":{\"n\":1.50}}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        assertThat(created.text()).contains("\"example\":{\"n\":1.50}");
        Api.Response changed = operator.patch("/api/v1/event-types/" + type, Map.of("category", "Scans " + account,
                "example", Map.of("scan", "s-1")));
        assertThat(changed.status()).as(changed.text()).isEqualTo(200);
        assertThat(changed.json().get("category").asText()).isEqualTo("Scans " + account);
        String id = createEndpoint(Map.of("url", receiver.url("/scans"))).get("id").asText();

        Api.Response sent = operator.post("/api/v1/accounts/" + account + "/endpoints/" + id + "/test",
                Map.of("type", type));
        assertThat(sent.status()).as(sent.text()).isEqualTo(202);
        Received post = receiver.next(WAIT);
        assertThat(post.header("X-Webhook-Event")).isEqualTo(type);
        assertThat(post.bodyText()).endsWith(",\"data\":{\"scan\":\"s-1\"}}");
        assertThat(operator.get("/api/v1/event-types/" + type).json().get("example").get("scan").asText())
                .isEqualTo("s-1");

        // archived (V14): off the list, on it with includeArchived; a PATCH keeps the time, another brings it back
        assertThat(operator.delete("/api/v1/event-types/" + type).status()).isEqualTo(204);
        assertThat(operator.get("/api/v1/event-types").text()).doesNotContain("\"" + type + "\"");
        assertThat(operator.get("/api/v1/event-types?includeArchived=true").text()).contains("\"" + type + "\"");
        String archivedAt = operator.get("/api/v1/event-types/" + type).json().get("archivedAt").asText();
        assertThat(operator.patch("/api/v1/event-types/" + type, Map.of("description", "kept archived")).json()
                .get("archivedAt").asText()).isEqualTo(archivedAt);
        assertThat(operator.patch("/api/v1/event-types/" + type, Map.of("archived", false)).json().get("archivedAt")
                .isNull()).isTrue();
        assertThat(operator.get("/api/v1/event-types").text()).contains("\"" + type + "\"");
    }

    @Test
    void a_receivers_answer_holding_a_nul_character_is_recorded_and_the_delivery_delivered() throws Exception {
        // PostgreSQL's text columns take no NUL: unrecorded, the attempt was made again and again
        receiver.answer(r -> new io.hookpost.support.TestReceiver.Reply(200, Map.of(),
                new byte[] {'a', 0, 'b', (byte) 0xff}));
        createEndpoint(Map.of("url", receiver.url("/nul")));
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of()));

        eventually(() -> "delivered".equals(deliveriesOf(eventId).get(0).get("status")), "the delivery is delivered");
        assertThat(db.queryForObject("SELECT response_body FROM attempts WHERE delivery_id = ?", String.class,
                deliveriesOf(eventId).get(0).get("id"))).isEqualTo("a\uFFFDb\uFFFD");
        assertThat(receiver.drain(java.time.Duration.ofSeconds(1))).as("no POST after the first").hasSize(1);
    }

    @Autowired
    ProducerTemplate camel;
    @Autowired
    io.micrometer.core.instrument.MeterRegistry metrics;

    @Test
    void settled_history_older_than_the_retention_is_deleted_and_pending_deliveries_are_kept() throws Exception {
        receiver.answer(r -> r.path().equals("/down") ? Reply.status(500) : Reply.ok());
        JsonNode up = createEndpoint(Map.of("url", receiver.url("/up"), "eventTypes", List.of("host.online")));
        createEndpoint(Map.of("url", receiver.url("/down"), "eventTypes", List.of("host.offline"),
                "retrySchedule", List.of("1h")));
        String oldDelivered = publish(Map.of("type", "host.online", "data", Map.of("n", 1)));
        String oldPending = publish(Map.of("type", "host.offline", "data", Map.of("n", 2)));
        String recent = publish(Map.of("type", "host.online", "data", Map.of("n", 3)));
        eventually(() -> "delivered".equals(deliveriesOf(oldDelivered).get(0).get("status"))
                && "delivered".equals(deliveriesOf(recent).get(0).get("status"))
                && deliveriesOf(oldPending).get(0).get("lease_owner") == null
                && ((Number) deliveriesOf(oldPending).get(0).get("attempts")).intValue() == 1,
                "two delivered, one waiting for its retry in an hour");
        String deliveredId = (String) deliveriesOf(oldDelivered).get(0).get("id");
        String pendingId = (String) deliveriesOf(oldPending).get(0).get("id");
        // the retention is 90 days: two events and their deliveries made 91 days old
        OffsetDateTime longAgo = OffsetDateTime.now(ZoneOffset.UTC).minusDays(91);
        for (String eventId : List.of(oldDelivered, oldPending)) {
            db.update("UPDATE events SET created_at = ? WHERE account_id = ? AND id = ?", longAgo, account, eventId);
            db.update("UPDATE deliveries SET created_at = ?, updated_at = ? WHERE account_id = ? AND event_id = ?",
                    longAgo, longAgo, account, eventId);
        }
        // an endpoint deleted long ago, one of its deliveries still there, and one deleted today
        String gone = createEndpoint(Map.of("url", receiver.url("/gone"), "eventTypes", List.of("gone.*"),
                "categories", List.of("Gone"))).get("id").asText();
        String goneToday = createEndpoint(Map.of("url", receiver.url("/gone-today"))).get("id").asText();
        for (String endpoint : List.of(gone, goneToday)) {
            assertThat(operator.delete("/api/v1/accounts/" + account + "/endpoints/" + endpoint).status())
                    .isEqualTo(204);
        }
        db.update("UPDATE endpoints SET deleted_at = ? WHERE id = ?", longAgo, gone);
        // more old settled deliveries than one batch deletes (1,000): the purge goes on batch after batch
        List<Object[]> events = new java.util.ArrayList<>();
        List<Object[]> deliveries = new java.util.ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            events.add(new Object[] {account, "evt_old_" + i, longAgo});
            deliveries.add(new Object[] {"msg_old_" + i + "_" + account.substring(5), account, "evt_old_" + i,
                    i == 0 ? gone : up.get("id").asText(), i % 2 == 0 ? "discarded" : "failed", longAgo, longAgo});
        }
        db.batchUpdate("INSERT INTO events (account_id, id, type, occurred_at, payload, source, created_at)"
                + " VALUES (?, ?, 'host.online', ?, '{}', 'api', ?)", events.stream()
                .map(e -> new Object[] {e[0], e[1], e[2], e[2]}).toList());
        db.batchUpdate("INSERT INTO deliveries (id, account_id, event_id, endpoint_id, status, attempts, created_at,"
                + " updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?)", deliveries);
        // inbound callbacks: two handled long ago (one recorded nothing), one received as long ago but not handled yet, one handled today
        String connection = "pc_" + account;
        db.update("INSERT INTO provider_connections (id, account_id, provider, credentials, created_at)"
                + " VALUES (?, ?, 'postmark', '{}', ?)", connection, account, longAgo);
        String callback = "INSERT INTO inbound_callbacks (id, connection_id, account_id, dedupe_key, headers, body,"
                + " status, received_at) VALUES (?, ?, ?, ?, '{}', ?, ?, ?)";
        db.update(callback, "cb_old_" + account, connection, account, "old", new byte[] {1}, "processed", longAgo);
        db.update(callback, "cb_ignored_" + account, connection, account, "ignored", new byte[] {4}, "ignored",
                longAgo);
        db.update(callback, "cb_waiting_" + account, connection, account, "waiting", new byte[] {2}, "received",
                longAgo);
        db.update(callback, "cb_new_" + account, connection, account, "new", new byte[] {3}, "processed",
                OffsetDateTime.now(ZoneOffset.UTC));
        // providers' message statuses: one last changed long ago, one today
        String status = "INSERT INTO message_statuses (account_id, provider, provider_message_id, recipient_key,"
                + " status, status_rank, recipient, updated_at)"
                + " VALUES (?, 'postmark', ?, 'to@example.com', 'delivered', 40, 'to@example.com', ?)";
        db.update(status, account, "pm-old", longAgo);
        db.update(status, account, "pm-new", OffsetDateTime.now(ZoneOffset.UTC));

        double deletedBefore = metrics.get("hookpost.history.deleted").tag("kind", "deliveries").counter().count();
        Map<?, ?> purged = camel.requestBody("direct:purge-history", null, Map.class);

        assertThat((Long) purged.get("deliveries")).isGreaterThanOrEqualTo(2501);
        assertThat((Long) purged.get("events")).isGreaterThanOrEqualTo(2501);
        assertThat(metrics.get("hookpost.history.deleted").tag("kind", "deliveries").counter().count() - deletedBefore)
                .isEqualTo(((Long) purged.get("deliveries")).doubleValue());
        // all that is left of the account: the pending delivery and today's, with their events
        assertThat(count("SELECT COUNT(*) FROM deliveries WHERE account_id = ?", account)).isEqualTo(2);
        assertThat(count("SELECT COUNT(*) FROM events WHERE account_id = ?", account)).isEqualTo(2);
        assertThat(count("SELECT COUNT(*) FROM deliveries WHERE id = ?", deliveredId)).isZero();
        assertThat(count("SELECT COUNT(*) FROM attempts WHERE delivery_id = ?", deliveredId)).isZero();
        assertThat(operator.get("/api/v1/accounts/" + account + "/events/" + oldDelivered).status()).isEqualTo(404);
        assertThat(operator.post("/api/v1/accounts/" + account + "/deliveries/" + deliveredId + "/retry", Map.of())
                .status()).as("a retry of a delivery deleted").isEqualTo(404);
        // a pending delivery is kept however old, with its attempt and its event
        assertThat(deliveriesOf(oldPending)).extracting(d -> d.get("status")).containsExactly("pending");
        assertThat(count("SELECT COUNT(*) FROM attempts WHERE delivery_id = ?", pendingId)).isEqualTo(1);
        assertThat(operator.get("/api/v1/accounts/" + account + "/events/" + oldPending).status()).isEqualTo(200);
        assertThat(deliveriesOf(recent)).extracting(d -> d.get("status")).containsExactly("delivered");
        assertThat(db.queryForList("SELECT id FROM inbound_callbacks WHERE account_id = ? ORDER BY id", String.class,
                account)).containsExactly("cb_new_" + account, "cb_waiting_" + account);
        assertThat(db.queryForList("SELECT provider_message_id FROM message_statuses WHERE account_id = ?",
                String.class, account)).containsExactly("pm-new");
        assertThat((Long) purged.get("message_statuses")).isGreaterThanOrEqualTo(1);
        // the endpoint deleted long ago is gone once its delivery is, its subscriptions (and secret) with it
        assertThat(db.queryForList("SELECT id FROM endpoints WHERE id IN (?, ?)", String.class, gone, goneToday))
                .containsExactly(goneToday);
        assertThat(count("SELECT COUNT(*) FROM endpoint_event_types WHERE endpoint_id = ?", gone)).isZero();
        assertThat(count("SELECT COUNT(*) FROM endpoint_categories WHERE endpoint_id = ?", gone)).isZero();
        assertThat((Long) purged.get("endpoints")).isGreaterThanOrEqualTo(1);
    }
}

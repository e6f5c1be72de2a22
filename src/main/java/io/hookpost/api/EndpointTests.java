package io.hookpost.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hookpost.Ids;
import io.hookpost.outbound.DeliveryClaims;
import io.hookpost.outbound.EventReader;
import io.hookpost.outbound.EventSchemas;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * {@code POST …/endpoints/{id}/test}: a test event for this one endpoint, recorded and delivered like any other
 * (signed, retried, its attempts logged with trigger {@code test}). It skips the fan-out on purpose: the account's
 * other endpoints must not get it, and this one gets it whatever it subscribes to or filters: it tests the endpoint.
 * Without a body it is a {@code webhook.test} event; {@code {type, data?}} sends an event of that type (as Svix's
 * "send example"), its data given or else the catalog's example of the type, checked against the type's schema as a
 * published one.
 */
@Component("endpointTests")
public class EndpointTests {
    public static final String TYPE = "webhook.test";
    /** The claimed delivery for the deliver route: {id, lease_owner}. */
    public static final String DISPATCH = "hookpost.testDelivery";

    /** {@code data} is read again with exact numbers; here it only has to be there, or not. */
    public record TestRequest(String type, JsonNode data) {
    }

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final DeliveryClaims claims;
    private final RequestBodies bodies;
    private final EventReader events;
    private final EventSchemas schemas;

    public EndpointTests(JdbcTemplate jdbc, ObjectMapper json, DeliveryClaims claims, RequestBodies bodies,
                         EventReader events, EventSchemas schemas) {
        this.jdbc = jdbc;
        this.json = json;
        this.claims = claims;
        this.bodies = bodies;
        this.events = events;
        this.schemas = schemas;
    }

    @Transactional
    public Map<String, Object> send(@Header("acct") String account, @Header("endpointId") String endpointId,
                                    @Body byte[] body, Exchange exchange) throws Exception {
        List<Map<String, Object>> endpoints = jdbc.queryForList(
                "SELECT active FROM endpoints WHERE account_id = ? AND id = ? AND deleted_at IS NULL",
                account, endpointId);
        if (endpoints.isEmpty()) {
            throw ProblemException.notFound("No endpoint '" + endpointId + "' in account '" + account + "'.");
        }
        if (!Boolean.TRUE.equals(endpoints.get(0).get("active"))) {
            throw ProblemException.conflict("The endpoint is disabled; enable it before sending a test event.");
        }
        ObjectNode envelope = envelope(endpointId, body);
        String eventId = envelope.get("id").asText();
        String type = envelope.get("type").asText();
        OffsetDateTime now = OffsetDateTime.parse(envelope.get("timestamp").asText());
        jdbc.update("INSERT INTO events (account_id, id, type, occurred_at, payload, source, created_at)"
                        + " VALUES (?, ?, ?, ?, ?, 'test', ?)",
                account, eventId, type, now, EventReader.write(envelope), now);

        String deliveryId = Ids.next("msg");
        String claim = DeliveryClaims.newToken();
        // born claimed, like the fan-out's deliveries; if we crash before handing it over the lease expires
        jdbc.update("INSERT INTO deliveries (id, account_id, event_id, endpoint_id, envelope, status, attempts,"
                        + " next_attempt_at, lease_owner, lease_until, trigger_kind, created_at, updated_at)"
                        + " VALUES (?, ?, ?, ?, (SELECT envelope FROM endpoints WHERE id = ?), 'pending', 0, ?, ?, ?,"
                        + " 'test', ?, ?)",
                deliveryId, account, eventId, endpointId, endpointId, now, claim, claims.leaseUntil(now), now, now);
        exchange.setProperty(DISPATCH, Map.of("id", deliveryId, "lease_owner", claim));

        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("eventId", eventId);
        answer.put("deliveryId", deliveryId);
        answer.put("type", type);
        return answer;
    }

    /** The test event's envelope: what the request asks for, or the catalog's example, or the webhook.test event. */
    private ObjectNode envelope(String endpointId, byte[] body) throws IOException {
        TestRequest request = body == null || body.length == 0 ? new TestRequest(null, null)
                : bodies.read(body, TestRequest.class);
        String type = request.type() == null ? TYPE : request.type();
        if (!EventReader.isType(type)) {
            throw ProblemException.badRequest(EventReader.TYPE_RULE); // before the catalog, which has no such name
        }
        JsonNode data = request.data() == null || request.data().isNull() ? null : EventReader.readExact(body).get("data");
        boolean builtIn = false;
        if (data == null) {
            List<String> examples = jdbc.queryForList("SELECT example FROM event_types WHERE name = ?", String.class, type);
            if (!examples.isEmpty() && examples.get(0) != null) {
                data = EventReader.readExact(examples.get(0).getBytes(StandardCharsets.UTF_8));
            } else if (type.equals(TYPE)) {
                builtIn = true;
                data = json.createObjectNode()
                        .put("endpointId", endpointId)
                        .put("message", "A test event sent from Hookpost.");
            } else {
                throw ProblemException.badRequest("The event type '" + type + "' has "
                        + (examples.isEmpty() ? "no entry in the catalog" : "no example in the catalog")
                        + ", so there is nothing to send: give the test's 'data'.");
            }
        }
        ObjectNode envelope = events.newEnvelope(type, data);
        try {
            schemas.checkRequest(envelope);
        } catch (ProblemException violation) {
            if (!builtIn) {
                throw violation;
            }
            // the caller sent no data: say whose data it was, and what to do
            throw ProblemException.unprocessable("The catalog gives webhook.test a schema that Hookpost's own test data"
                    + " ({endpointId, message}) does not match: give webhook.test an example in the catalog, or send"
                    + " the test's 'data'. " + violation.getMessage());
        }
        return envelope;
    }
}

package io.hookpost.api;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hookpost.Ids;
import io.hookpost.outbound.DeliveryClaims;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * {@code POST …/endpoints/{id}/test}: a {@code webhook.test} event for this one endpoint, recorded and
 * delivered like any other (signed, retried, its attempts logged with trigger {@code test}). It skips the
 * fan-out on purpose: the account's other endpoints must not get it.
 */
@Component("endpointTests")
public class EndpointTests {
    public static final String TYPE = "webhook.test";
    /** The claimed delivery for the deliver route: {id, lease_owner}. */
    public static final String DISPATCH = "hookpost.testDelivery";

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final DeliveryClaims claims;

    public EndpointTests(JdbcTemplate jdbc, ObjectMapper json, DeliveryClaims claims) {
        this.jdbc = jdbc;
        this.json = json;
        this.claims = claims;
    }

    @Transactional
    public Map<String, Object> send(@Header("acct") String account, @Header("endpointId") String endpointId,
                                    Exchange exchange) throws Exception {
        List<Map<String, Object>> endpoints = jdbc.queryForList(
                "SELECT active FROM endpoints WHERE account_id = ? AND id = ? AND deleted_at IS NULL",
                account, endpointId);
        if (endpoints.isEmpty()) {
            throw ProblemException.notFound("No endpoint '" + endpointId + "' in account '" + account + "'.");
        }
        if (!Boolean.TRUE.equals(endpoints.get(0).get("active"))) {
            throw ProblemException.conflict("The endpoint is disabled; enable it before sending a test event.");
        }
        // to the microsecond, as every event Hookpost stamps (the database keeps no finer time)
        OffsetDateTime now = Views.now();
        String eventId = Ids.next("evt");
        ObjectNode envelope = json.createObjectNode();
        envelope.put("id", eventId);
        envelope.put("type", TYPE);
        envelope.put("timestamp", DateTimeFormatter.ISO_INSTANT.format(now));
        envelope.putObject("data")
                .put("endpointId", endpointId)
                .put("message", "A test event sent from Hookpost.");
        jdbc.update("INSERT INTO events (account_id, id, type, occurred_at, payload, source, created_at)"
                        + " VALUES (?, ?, ?, ?, ?, 'test', ?)",
                account, eventId, TYPE, now, json.writeValueAsString(envelope), now);

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
        return answer;
    }
}

package io.hookpost.outbound;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.hookpost.Ids;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.springframework.stereotype.Component;

/**
 * Step {@code plan-deliveries}: one delivery row per matching endpoint. Active endpoints get a
 * {@code pending} delivery to send now (or, when the endpoint has as many waiting as it may, one due when it
 * can take it); disabled ones a {@code held} one, so nothing is lost while an endpoint is off and a later
 * recover can replay it.
 */
@Component("deliveryPlanner")
public class DeliveryPlanner {
    public static final String PENDING = "hookpost.pendingDeliveries";
    private final DeliveryClaims claims;
    private final EndpointSlots slots;

    public DeliveryPlanner(DeliveryClaims claims, EndpointSlots slots) {
        this.claims = claims;
        this.slots = slots;
    }

    public List<Map<String, Object>> plan(List<Map<String, Object>> endpoints,
                                          @ExchangeProperty("hookpost.event") Map<String, Object> event,
                                          Exchange exchange) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        List<Map<String, Object>> rows = new ArrayList<>(endpoints.size());
        List<Map<String, Object>> pending = new ArrayList<>(endpoints.size());
        for (Map<String, Object> endpoint : endpoints) {
            boolean active = Boolean.TRUE.equals(endpoint.get("active"));
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", Ids.next("msg"));
            row.put("account_id", event.get("account_id"));
            row.put("event_id", event.get("id"));
            row.put("endpoint_id", endpoint.get("endpoint_id"));
            row.put("envelope", endpoint.get("envelope")); // fixed now: every attempt sends the same bytes
            // an endpoint with as many deliveries waiting as it may (one that hangs, say): to the database for
            // the retry scheduler, due when the endpoint can take it, instead of claimed and handed over now
            Duration busy = active ? slots.busyFor(endpoint.get("endpoint_id")) : null;
            boolean handOver = active && busy == null;
            row.put("status", active ? "pending" : "held");
            row.put("next_attempt_at", active ? (busy == null ? now : now.plus(busy)) : null);
            // born claimed by this fan-out, which hands it to the deliver route; if we crash first the lease
            // expires and the retry scheduler picks it up
            row.put("lease_owner", handOver ? DeliveryClaims.newToken() : null);
            row.put("lease_until", handOver ? claims.leaseUntil(now) : null);
            row.put("created_at", now);
            rows.add(row);
            if (handOver) {
                pending.add(Map.of("id", row.get("id"), "lease_owner", row.get("lease_owner"),
                        "lease_until", row.get("lease_until")));
            }
        }
        exchange.setProperty(PENDING, pending);
        return rows;
    }
}

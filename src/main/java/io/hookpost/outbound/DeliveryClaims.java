package io.hookpost.outbound;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.hookpost.HookpostProperties;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.component.seda.SedaEndpoint;
import org.springframework.stereotype.Component;

/**
 * Parameters for claiming deliveries. A claim is a lease ({@code lease_owner} = a fresh token, {@code
 * lease_until}) taken by a conditional UPDATE, which only one worker can win on H2 and PostgreSQL alike; the
 * deliver route sends only while its token still owns the row. An expired lease (a crashed worker) is free
 * to be claimed again.
 */
@Component("deliveryClaims")
public class DeliveryClaims {
    static final String CLAIMED = "hookpost.claimed";
    /** How many due deliveries the batch's query found. */
    static final String FOUND = "hookpost.dueFound";
    /** How long the due delivery's endpoint is busy for, or null ({@link EndpointSlots#busyFor}). */
    static final String BUSY_FOR = "hookpost.busyFor";
    private final HookpostProperties.Delivery settings;
    private final CamelContext camel;

    public DeliveryClaims(HookpostProperties properties, CamelContext camel) {
        this.settings = properties.delivery();
        this.camel = camel;
    }

    /**
     * For the retry scheduler's query of due, unleased deliveries; starts the batch's list of claims (an exchange
     * property the split's parts share, filled by {@link #claimed}).
     */
    public Map<String, Object> due(Exchange exchange) {
        exchange.setProperty(CLAIMED, new ArrayList<Map<String, Object>>());
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("now", OffsetDateTime.now(ZoneOffset.UTC));
        parameters.put("batch", settings.pollBatch());
        return parameters;
    }

    /** A new claim on one delivery (a row of the due query). */
    public Map<String, Object> claim(Map<String, Object> due) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        Map<String, Object> claim = new LinkedHashMap<>();
        claim.put("id", due.get("id"));
        claim.put("lease_owner", newToken());
        claim.put("lease_until", now.plus(settings.lease()));
        claim.put("now", now);
        return claim;
    }

    /**
     * For a due delivery whose endpoint has as many deliveries waiting as it may ({@link EndpointSlots#busyFor}):
     * not claimed, only due again once the endpoint can take it.
     */
    public Map<String, Object> postpone(Map<String, Object> due, @ExchangeProperty(BUSY_FOR) Duration busyFor) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        Map<String, Object> postponed = new LinkedHashMap<>();
        postponed.put("id", due.get("id"));
        postponed.put("next_attempt_at", now.plus(busyFor));
        postponed.put("now", now);
        return postponed;
    }

    /**
     * The deliver route's first step: the delivery handed over (its id and lease token) as exchange properties. Here and
     * in {@link #loaded} rather than Simple's {@code ${body[id]}}, which builds a bean expression and copies the
     * whole exchange on every evaluation.
     */
    public void handedOver(Exchange exchange) {
        Map<?, ?> delivery = exchange.getMessage().getBody(Map.class);
        exchange.setProperty(DeliveryProperties.DELIVERY_ID, delivery.get("id"));
        exchange.setProperty(DeliveryProperties.CLAIM, delivery.get("lease_owner"));
        Object waitedFor = delivery.get("endpoint_id"); // only on a claim back from waiting for its endpoint's slot
        if (waitedFor != null) {
            exchange.setProperty(EndpointSlots.WAITED_FOR, waitedFor);
        }
    }

    /**
     * The loaded delivery's event and endpoint, for the log lines about it (see DeliveryLogContext), and when its claim
     * ends ({@link RetryPolicy#retryInProcess}).
     */
    public void loaded(Exchange exchange) {
        Map<?, ?> delivery = exchange.getMessage().getBody(Map.class);
        exchange.setProperty(EventReader.EVENT_ID, delivery.get("event_id"));
        exchange.setProperty(DeliveryProperties.ENDPOINT_ID, delivery.get("endpoint_id"));
        exchange.setProperty(DeliveryProperties.CLAIM_UNTIL, DeliveryRequest.toOffsetDateTime(delivery.get("lease_until")));
        exchange.setProperty(DeliveryProperties.RETRY_REQUESTED, Boolean.TRUE.equals(delivery.get("retry_requested")));
    }

    /** A claim the UPDATE won, added to the batch handed to the deliver route once the batch has committed. */
    @SuppressWarnings("unchecked")
    public void claimed(Exchange exchange) {
        Map<String, Object> claim = exchange.getMessage().getBody(Map.class);
        exchange.getProperty(CLAIMED, List.class).add(Map.of("id", claim.get("id"), "lease_owner", claim.get("lease_owner")));
    }

    /**
     * Whether to claim another batch at once: this one was full (claimed or postponed) and the delivery queue has room
     * for another.
     */
    public boolean claimMore(Exchange exchange) {
        Integer found = exchange.getProperty(FOUND, Integer.class);
        int queued = camel.getEndpoint("seda:deliver", SedaEndpoint.class).getCurrentQueueSize();
        return found != null && found >= settings.pollBatch() && queued < settings.concurrency();
    }

    public OffsetDateTime leaseUntil(OffsetDateTime from) {
        return from.plus(settings.lease());
    }

    public static String newToken() {
        return UUID.randomUUID().toString();
    }
}

package io.hookpost.outbound;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.hookpost.HookpostProperties;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * Isolation between endpoints: at most {@code max-in-flight-per-endpoint} attempts to one endpoint run at once
 * in this instance. Delivery threads are shared, so without a bound an endpoint that hangs until the timeout
 * would hold every thread and starve the healthy ones. A delivery that finds its endpoint full gives its
 * claim back (the deliver route's {@code release-busy-delivery} step) instead of waiting for a thread.
 * <p>
 * Written by hand because Camel's throttlers bound a whole route or a rate, not concurrent calls per key
 * with a "give it back" answer when full.
 */
@Component("endpointSlots")
public class EndpointSlots {
    /** Set on the exchange while it holds a slot, so a slot is given back exactly once. */
    static final String HELD = "hookpost.endpointSlot";

    private final int limit;
    private final HookpostProperties.Delivery settings;
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

    public EndpointSlots(HookpostProperties properties) {
        this.settings = properties.delivery();
        this.limit = settings.maxInFlightPerEndpoint();
    }

    /** Takes a slot on the loaded delivery's endpoint; false (and nothing held) when the endpoint is full. */
    public boolean take(Exchange exchange) {
        String endpointId = endpointOf(exchange);
        AtomicInteger count = inFlight.computeIfAbsent(endpointId, id -> new AtomicInteger());
        while (true) {
            int now = count.get();
            if (now >= limit) {
                return false;
            }
            if (count.compareAndSet(now, now + 1)) {
                exchange.setProperty(HELD, endpointId);
                return true;
            }
        }
    }

    /** Gives back the slot this exchange holds, if any. */
    public void giveBack(Exchange exchange) {
        String endpointId = exchange.getProperty(HELD, String.class);
        if (endpointId == null) {
            return;
        }
        exchange.removeProperty(HELD);
        // the entry stays: removing it at zero would race with a concurrent take
        inFlight.get(endpointId).decrementAndGet();
    }

    /** Attempts running now to one endpoint, as an operator (and a test) sees it. */
    public int inFlight(String endpointId) {
        AtomicInteger count = inFlight.get(endpointId);
        return count == null ? 0 : count.get();
    }

    /** Parameters of release-busy-delivery: the claim to give back, and when to look at the delivery again. */
    public Map<String, Object> release(Exchange exchange) {
        return Map.of(
                "id", exchange.getProperty(DeliveryProperties.DELIVERY_ID, String.class),
                "lease_owner", exchange.getProperty(DeliveryProperties.CLAIM, String.class),
                "next_attempt_at", OffsetDateTime.now(ZoneOffset.UTC).plus(settings.busyRetryDelay()));
    }

    private static String endpointOf(Exchange exchange) {
        Object endpointId = exchange.getMessage().getBody(Map.class).get("endpoint_id");
        if (endpointId == null) {
            throw new IllegalStateException("no endpoint_id on the loaded delivery");
        }
        return endpointId.toString();
    }
}

package io.hookpost.outbound;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.hookpost.HookpostProperties;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The claims of a fan-out whose recording failed, kept for a while in case it was committed all the same: a commit
 * whose answer was lost (the connection dropped after the database committed) reports a failure, the broker delivers
 * the event again, and the event is then recorded already, its deliveries born claimed by the failed fan-out, which
 * never handed them over. Without this they would wait out their lease (2 min) for the retry scheduler.
 * <p>
 * A failed fan-out never hands its claims over, and {@link #take} removes them, so each is handed over at most once;
 * a claim the database does not hold (its commit did roll back, or the retry scheduler claimed the delivery since)
 * loads nothing in the deliver route. Kept for half a lease only, well before the retry scheduler may claim the
 * delivery again. In this instance's memory: an event brought back to another instance waits out the lease as
 * before.
 */
@Component("unconfirmedClaims")
public class UnconfirmedClaims {
    private static final Logger LOG = LoggerFactory.getLogger(UnconfirmedClaims.class);
    /** Events remembered at most: a long database outage fails every fan-out, and only the few lost answers matter. */
    static final int MAX_EVENTS = 10_000;

    /** Per event (account/id), the claims of each of its failed recordings. */
    private final Cache<String, List<List<Map<String, Object>>>> byEvent;

    public UnconfirmedClaims(HookpostProperties properties) {
        long keepNanos = properties.delivery().lease().toNanos() / 2;
        this.byEvent = Caffeine.newBuilder().maximumSize(MAX_EVENTS)
                .expireAfter(new Expiry<String, List<List<Map<String, Object>>>>() {
                    @Override
                    public long expireAfterCreate(String event, List<List<Map<String, Object>>> claims, long now) {
                        return keepNanos;
                    }

                    /** A claim taken back and failed again keeps the time its event was first remembered. */
                    @Override
                    public long expireAfterUpdate(String event, List<List<Map<String, Object>>> claims, long now,
                                                  long left) {
                        return left;
                    }

                    @Override
                    public long expireAfterRead(String event, List<List<Map<String, Object>>> claims, long now,
                                                long left) {
                        return left;
                    }
                }).build();
    }

    /** After a fan-out's recording failed: the deliveries it claimed, for {@link #take}. */
    @SuppressWarnings("unchecked")
    public void remember(Exchange exchange) {
        List<Map<String, Object>> claimed = exchange.getProperty(DeliveryPlanner.PENDING, List.class);
        if (claimed == null || claimed.isEmpty()) {
            return;
        }
        byEvent.asMap().compute(key(exchange), (event, kept) -> {
            List<List<Map<String, Object>>> claims = kept == null ? new ArrayList<>(1) : new ArrayList<>(kept);
            if (!claims.contains(claimed)) {
                claims.add(List.copyOf(claimed));
            }
            return claims;
        });
    }

    /**
     * Step {@code take-unconfirmed-claims}, for an event recorded already: the claims of its failed recordings still
     * kept become the deliveries to hand over (none: null, as for any repeated event).
     */
    public void take(Exchange exchange) {
        List<List<Map<String, Object>>> kept = byEvent.asMap().remove(key(exchange));
        List<Map<String, Object>> deliveries = null;
        if (kept != null) {
            deliveries = kept.stream().flatMap(List::stream).toList();
            LOG.info("Event {} was recorded already, by a fan-out told its commit had failed: handing over the {}"
                    + " deliveries it claimed", key(exchange), deliveries.size());
        }
        exchange.setProperty(DeliveryPlanner.PENDING, deliveries);
    }

    private static String key(Exchange exchange) {
        Map<?, ?> event = exchange.getProperty("hookpost.event", Map.class);
        return event.get("account_id") + "/" + event.get("id");
    }
}

package io.hookpost.outbound;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
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
 * Only claims whose rows the failed transaction wrote are kept ({@link #markWritten}), not the plan of an event recorded
 * before (that one's deliveries are someone else's). A failed fan-out never hands its claims over, and {@link #take}
 * removes them, so each is handed over at most once; one is handed over only while more than half its lease is left,
 * so its attempt ends well before the retry scheduler may claim the delivery again, and one the database does not
 * hold (its commit did roll back) loads nothing in the deliver route. In this instance's memory: an event brought
 * back to another instance waits out the lease as before.
 */
@Component("unconfirmedClaims")
public class UnconfirmedClaims {
    private static final Logger LOG = LoggerFactory.getLogger(UnconfirmedClaims.class);
    /** Events remembered at most: a long database outage fails every fan-out, and only the few lost answers matter. */
    static final int MAX_EVENTS = 10_000;
    /** Marks an event row whose deliveries this transaction wrote (or whose kept claims it took). */
    static final String WRITTEN = "hookpost.claimsWritten";

    /** Per event (account/id), the claims of its failed recordings. */
    private final Cache<String, List<Map<String, Object>>> byEvent;
    private final HookpostProperties.Delivery settings;

    public UnconfirmedClaims(HookpostProperties properties) {
        this.settings = properties.delivery();
        this.byEvent = Caffeine.newBuilder().maximumSize(MAX_EVENTS).expireAfterWrite(settings.lease()).build();
    }

    /**
     * An event row whose deliveries are being inserted in this transaction (EventBatch, as it hands them to their
     * insert): if the transaction fails they may be committed all the same.
     */
    static void markWritten(Map<String, Object> event) {
        event.put(WRITTEN, Boolean.TRUE);
    }

    /** After a fan-out's recording failed: the deliveries it claimed, if it wrote them, for {@link #take}. */
    @SuppressWarnings("unchecked")
    public void remember(Exchange exchange) {
        Map<String, Object> event = exchange.getProperty("hookpost.event", Map.class);
        List<Map<String, Object>> claimed = exchange.getProperty(DeliveryPlanner.PENDING, List.class);
        if (event == null || event.remove(WRITTEN) == null || claimed == null || claimed.isEmpty()) {
            return;
        }
        byEvent.asMap().merge(key(event), List.copyOf(claimed), (kept, more) -> {
            List<Map<String, Object>> all = new ArrayList<>(kept);
            more.stream().filter(claim -> !kept.contains(claim)).forEach(all::add);
            return all;
        });
    }

    /**
     * Step {@code take-unconfirmed-claims}, for an event recorded already: the claims of its failed recordings with
     * more than half their lease left become the deliveries to hand over (none: null, as for any repeated event).
     */
    @SuppressWarnings("unchecked")
    public void take(Exchange exchange) {
        Map<String, Object> event = exchange.getProperty("hookpost.event", Map.class);
        List<Map<String, Object>> kept = byEvent.asMap().remove(key(event));
        List<Map<String, Object>> deliveries = null;
        if (kept != null) {
            OffsetDateTime handOverBy = OffsetDateTime.now(ZoneOffset.UTC).plus(settings.lease().dividedBy(2));
            deliveries = kept.stream().filter(claim -> ((OffsetDateTime) claim.get("lease_until")).isAfter(handOverBy))
                    .toList();
            if (deliveries.isEmpty()) {
                deliveries = null;
            } else {
                markWritten(event); // taken: kept again if this transaction fails too
                LOG.info("Event {} was recorded already, by a fan-out told its commit had failed: handing over the {}"
                        + " deliveries it claimed", key(event), deliveries.size());
            }
        }
        exchange.setProperty(DeliveryPlanner.PENDING, deliveries);
    }

    private static String key(Map<?, ?> event) {
        return event.get("account_id") + "/" + event.get("id");
    }
}

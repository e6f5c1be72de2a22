package io.hookpost.outbound;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.hookpost.HookpostProperties;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Isolation between endpoints: a bound on the requests to one endpoint in flight at once in this instance. An attempt
 * holds its slot until the receiver has answered (or failed to), not while the attempt is recorded: the bound is on
 * what the receiver sees. Delivery threads are shared, so without a bound an endpoint that hangs until the timeout
 * would hold every thread and starve the healthy ones.
 * <p>
 * The bound adapts, like TCP's slow start: an endpoint starts at one attempt at a time, gains one more with each
 * success up to {@code max-in-flight-per-endpoint}, and drops back to one whenever an attempt gets no answer
 * (timeout, refused, reset) and after an idle spell. So a healthy endpoint soon gets its full share, and a hundred
 * endpoints that hang hold a hundred threads, not a hundred times the maximum.
 * <p>
 * A delivery that finds its endpoint full waits in memory (its claim kept) and goes back to the delivery queue
 * when an attempt to that endpoint ends. Past {@code max-waiting-per-endpoint} waiting, or past what the endpoint
 * can attempt within half a lease at its recent pace, it gives its claim back instead (the deliver route's
 * {@code release-busy-delivery} step) and the retry scheduler takes it up again once the endpoint can take it
 * (at least {@code busy-retry-delay}), so an endpoint that hangs cannot pile up memory or outlive its claims. The
 * fan-out and the retry scheduler ask {@link #busyFor} first: the fan-out sends such deliveries straight to the
 * database, and the scheduler leaves them unclaimed and looks again later.
 * <p>
 * A receiver that answers 429 or 503 is overloaded: the endpoint's bound drops back to one. With a {@code Retry-After}
 * (up to {@code max-retry-after}) the whole endpoint is paused, not only the delivery that got it: no attempt to it
 * starts in this instance before then, and its deliveries stay in the database until then (as for a full endpoint).
 * Without this a receiver answering 503 Retry-After 9 s got 1,044 requests in 85 s, one after another delivery.
 * The pause is kept in memory, per instance, as the bound is: a restart forgets it (each delivery's own wait
 * is in the database).
 * <p>
 * An endpoint with a {@code rateLimit} (attempts a second, set by its account, as Svix and Convoy offer) has its
 * attempts started evenly spaced at that rate, whatever its bound: one that would start early waits in memory like
 * one that finds the endpoint full, and is sent on when its turn comes (a timer, as no attempt's end may be due by
 * then). Those the rate cannot start within half a lease stay in the database, as for a busy endpoint. The rate is per
 * instance too: two instances may each start that many a second.
 * <p>
 * Written by hand because Camel's throttlers bound a whole route or a rate, not concurrent calls per key
 * with a limit that follows the endpoint's health.
 */
@Component("endpointSlots")
public class EndpointSlots {
    /** Set on the exchange while it holds a slot, so a slot is given back exactly once. */
    static final String HELD = "hookpost.endpointSlot";
    /** Set by {@link #take}: whether the attempt goes ahead, waits in memory, or gives its claim back. */
    public static final String SLOT = "hookpost.slot";
    /** What {@link #take} decided: the attempt goes ahead, waits in memory, or gives its claim back. */
    public static final String TAKEN = "taken";
    public static final String WAITING = "waiting";
    public static final String FULL = "full";
    /** The endpoint a claim waited for, when it comes back from waiting (see {@link #passTurnOn}). */
    static final String WAITED_FOR = "hookpost.waitedFor";
    private static final String NO_WAIT_QUEUE = "seda:deliver?blockWhenFull=false";
    /**
     * An endpoint nothing was attempted to or waited for in this long is forgotten (its pace and bound were reset
     * after a much shorter idle spell anyway): without it every endpoint ever delivered to stayed in memory, deleted
     * ones too (the soak audit: one entry per deleted endpoint, 1,872 of them). Looked for at most once a minute.
     */
    static final Duration FORGET_AFTER = Duration.ofMinutes(10);
    private static final long SWEEP_EVERY_NANOS = Duration.ofMinutes(1).toNanos();
    /** In {@code inFlight} of an entry the sweep removed: a taker finding it looks the endpoint up again. */
    private static final int RETIRED = Integer.MIN_VALUE / 2;
    /** Answers of a receiver that has more than it can take: 429 Too Many Requests, 503 Service Unavailable. */
    private static final Set<Object> OVERLOADED = Set.of(429, 503);
    private static final long NOT_PAUSED = 0;
    private static final Logger LOG = LoggerFactory.getLogger(EndpointSlots.class);

    private static final class Endpoint {
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger limit = new AtomicInteger(1);
        final AtomicInteger waitingCount = new AtomicInteger();
        /**
         * Recent attempt duration in ms (moving average), to tell how long a waiting delivery would wait; starts
         * at the timeout, as if the endpoint hung, until its answers show otherwise.
         */
        volatile double attemptMillis;
        /** Whether an attempt has ended yet: until then attemptMillis is a guess, not a pace. */
        volatile boolean paced;
        /** When an attempt last ended (System.nanoTime), to tell a pace gone stale. */
        volatile long lastEnded = System.nanoTime();
        /**
         * Until when (System.nanoTime) the receiver asked not to be sent anything (Retry-After); {@link #NOT_PAUSED}
         * for never (nanoTime may be any long, so times are only compared by their difference).
         */
        final AtomicLong pausedUntil = new AtomicLong(NOT_PAUSED);
        /** Time between attempt starts (ns) under the endpoint's rate limit, from its loaded row; 0: no limit. */
        volatile long startEveryNanos;
        /** When (System.nanoTime) the rate limit lets the next attempt start. */
        final AtomicLong nextStart = new AtomicLong(System.nanoTime());
        /** Whether a timer is set to send waiting deliveries on when the rate limit lets the next one start. */
        final AtomicBoolean wakeUpSet = new AtomicBoolean();

        final Queue<Object> waiting = new ConcurrentLinkedQueue<>();

        Endpoint(double initialMillis) {
            attemptMillis = initialMillis;
        }
    }

    private final int maxLimit;
    private final int maxWaiting;
    private final HookpostProperties.Delivery settings;
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
    private final ProducerTemplate producer;
    private final long forgetAfterNanos;
    private final AtomicLong lastSweep = new AtomicLong(System.nanoTime());
    /** Sends waiting deliveries on when a rate-limited endpoint's next start is due. */
    private final ScheduledExecutorService rateTimer;

    @Autowired
    public EndpointSlots(HookpostProperties properties, CamelContext camel) {
        this(properties, camel, FORGET_AFTER);
    }

    EndpointSlots(HookpostProperties properties, CamelContext camel, Duration forgetAfter) {
        this.forgetAfterNanos = forgetAfter.toNanos();
        this.settings = properties.delivery();
        this.maxLimit = settings.maxInFlightPerEndpoint();
        this.maxWaiting = settings.maxWaitingPerEndpoint();
        this.producer = camel.createProducerTemplate();
        this.rateTimer = camel.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "EndpointRateLimits");
    }

    /**
     * Step {@code take-endpoint-slot}: takes a slot on the loaded delivery's endpoint ({@link #TAKEN}); when it is
     * full, keeps the claim to try again once a slot is free ({@link #WAITING}) or, with too many waiting already or
     * while its receiver asked to wait (Retry-After), says {@link #FULL}. The answer goes in {@link #SLOT}: a step, not
     * a {@code method:} expression, because Camel evaluates such an expression on a copy of the whole exchange.
     */
    public void take(Exchange exchange) {
        exchange.setProperty(SLOT, decide(exchange));
    }

    private String decide(Exchange exchange) {
        String endpointId = endpointOf(exchange);
        sweepIfDue(endpointId);
        Endpoint endpoint = endpoints.computeIfAbsent(endpointId, id -> new Endpoint(settings.timeout().toMillis()));
        forgetStalePace(endpoint);
        if (pauseLeft(endpoint) != null) {
            return FULL; // the receiver asked to wait: the claim goes back until then
        }
        long startEvery = startEveryNanos(exchange);
        if (endpoint.startEveryNanos != startEvery) {
            endpoint.startEveryNanos = startEvery; // written only when it changed: every delivery thread reads it
        }
        while (true) {
            int now = endpoint.inFlight.get();
            if (now < 0) {
                // forgotten by the sweep just now: the endpoint starts afresh, as a new one would
                endpoints.remove(endpointId, endpoint);
                endpoint = endpoints.computeIfAbsent(endpointId, id -> new Endpoint(settings.timeout().toMillis()));
                endpoint.startEveryNanos = startEvery;
                continue;
            }
            if (now >= endpoint.limit.get() || !startsNow(endpoint)) {
                break;
            }
            if (endpoint.inFlight.compareAndSet(now, now + 1)) {
                if (startUnderRateLimit(endpoint)) {
                    exchange.setProperty(HELD, endpointId);
                    return TAKEN;
                }
                endpoint.inFlight.decrementAndGet(); // another attempt took this turn of the rate limit
                break;
            }
        }
        if (endpoint.waitingCount.incrementAndGet() > waitingBound(endpoint)) {
            endpoint.waitingCount.decrementAndGet();
            return FULL;
        }
        endpoint.waiting.add(claim(exchange));
        // a slot may have been given back between the check above and the add: make sure someone looks
        dispatchWaiting(endpoint);
        return WAITING;
    }

    /** Gives back the slot this exchange holds, if any, adapts the endpoint's limit, and wakes a waiting delivery. */
    public void giveBack(Exchange exchange) {
        String endpointId = exchange.getProperty(HELD, String.class);
        if (endpointId == null) {
            return;
        }
        exchange.removeProperty(HELD);
        // the entry stays: removing it at zero would race with a concurrent take
        Endpoint endpoint = endpoints.get(endpointId);
        Object body = exchange.getMessage().getBody();
        if (body instanceof Map<?, ?> attempt && attempt.containsKey("succeeded")) {
            if (attempt.get("duration_ms") instanceof Number took) {
                double millis = Math.max(1, took.doubleValue());
                endpoint.attemptMillis = endpoint.paced ? 0.8 * endpoint.attemptMillis + 0.2 * millis : millis;
                endpoint.paced = true;
            }
            endpoint.lastEnded = System.nanoTime();
            Object status = attempt.get("response_status");
            if (Boolean.TRUE.equals(attempt.get("succeeded"))) {
                endpoint.limit.updateAndGet(limit -> Math.min(maxLimit, limit + 1));
            } else if (status == null || OVERLOADED.contains(status)) {
                // no answer at all, or an overloaded one: one attempt at a time until it answers well again
                endpoint.limit.set(1);
            }
        }
        endpoint.inFlight.decrementAndGet();
        dispatchWaiting(endpoint);
    }

    /**
     * Step {@code heed-retry-after}, as soon as a failed attempt's answer is in (before it is recorded, so no attempt
     * starts in the meantime): a 429 or 503 with a Retry-After pauses the endpoint.
     */
    public void heedRetryAfter(Exchange exchange) {
        String endpointId = exchange.getProperty(HELD, String.class);
        Endpoint endpoint = endpointId == null ? null : endpoints.get(endpointId);
        if (endpoint != null && exchange.getMessage().getBody() instanceof Map<?, ?> attempt
                && attempt.get("retry_after_ms") instanceof Long retryAfter && retryAfter > 0) {
            pause(endpointId, endpoint, attempt.get("response_status"), retryAfter);
        }
    }

    /** Endpoints whose receiver asked not to be sent anything yet (Retry-After), for the operator's gauge. */
    public int pausedNow() {
        return (int) endpoints.values().stream().filter(endpoint -> pauseLeft(endpoint) != null).count();
    }

    /** Endpoints with a rate limit and deliveries waiting in memory, for the operator's gauge. */
    public int rateLimitedNow() {
        return (int) endpoints.values().stream()
                .filter(endpoint -> endpoint.startEveryNanos > 0 && endpoint.waitingCount.get() > 0).count();
    }

    /**
     * No attempt to the endpoint starts before the receiver's Retry-After has passed (capped at max-retry-after); an
     * answer asking for longer than a pause already running extends it. Logged when a pause starts.
     */
    private void pause(String endpointId, Endpoint endpoint, Object status, long retryAfterMillis) {
        long millis = Math.min(retryAfterMillis, settings.maxRetryAfter().toMillis());
        long now = System.nanoTime();
        long asked = now + TimeUnit.MILLISECONDS.toNanos(millis);
        long until = asked == NOT_PAUSED ? asked + 1 : asked;
        long before = endpoint.pausedUntil.getAndAccumulate(until,
                (current, next) -> current == NOT_PAUSED || next - current > 0 ? next : current);
        if (before == NOT_PAUSED || before - now <= 0) {
            LOG.info("Endpoint {} answered HTTP {} with Retry-After: no attempt to it starts for {} ms", endpointId,
                    status, millis);
        }
    }

    /** How long the endpoint's receiver still asked to be left alone, or null when it did not. */
    private static Duration pauseLeft(Endpoint endpoint) {
        long until = endpoint.pausedUntil.get();
        if (until == NOT_PAUSED) {
            return null;
        }
        long left = until - System.nanoTime();
        return left > 0 ? Duration.ofNanos(left) : null;
    }

    /**
     * An endpoint idle for longer than an attempt takes (disabled after it hung, say) may answer at another pace when
     * deliveries come again: until its next attempt ends, one given back is looked at again after busy-retry-delay,
     * not after what its old pace would need for those waiting (a minute, for a recovered backlog of an endpoint
     * that had timed out at 2 s an attempt, though it now answered at once). The waiting bound keeps the old pace.
     * <p>
     * Nor is it known to be healthy still: its bound starts again at one attempt at a time, as TCP restarts its
     * window after an idle spell (RFC 2861), so an endpoint that went down while quiet holds one delivery thread
     * until it answers, not the bound its earlier successes had grown (up to max-in-flight-per-endpoint).
     */
    private void forgetStalePace(Endpoint endpoint) {
        if (endpoint.paced && endpoint.inFlight.get() == 0 && endpoint.waitingCount.get() == 0) {
            double idleMillis = (System.nanoTime() - endpoint.lastEnded) / 1e6;
            if (idleMillis > Math.max(settings.busyRetryDelay().toMillis(), endpoint.attemptMillis)) {
                endpoint.paced = false;
                endpoint.limit.set(1);
            }
        }
    }

    /**
     * Forgets the endpoints idle for {@link #FORGET_AFTER}: none in flight, none waiting. An entry is retired by
     * setting its in-flight count from 0 to {@link #RETIRED} (so no slot is taken on it after the check) before it
     * is removed; a slot taken first makes the retirement fail. A claim that raced into a retired entry's waiting
     * queue is sent on at once by its taker ({@link #dispatchWaiting} sees every slot free).
     */
    private void sweepIfDue(String except) {
        long now = System.nanoTime();
        long last = lastSweep.get();
        if (now - last < Math.min(SWEEP_EVERY_NANOS, forgetAfterNanos) || !lastSweep.compareAndSet(last, now)) {
            return;
        }
        endpoints.forEach((id, endpoint) -> {
            if (!id.equals(except) && endpoint.waitingCount.get() == 0 && endpoint.waiting.isEmpty()
                    && now - endpoint.lastEnded > forgetAfterNanos && pauseLeft(endpoint) == null
                    && endpoint.inFlight.compareAndSet(0, RETIRED)) {
                endpoints.remove(id, endpoint);
            }
        });
    }

    /** How many endpoints are remembered (for tests). */
    int remembered() {
        return endpoints.size();
    }

    /**
     * How many deliveries may wait for this endpoint: at most max-waiting-per-endpoint, and no more than its
     * current bound can attempt within half a lease at its recent pace, so a waiting claim does not expire
     * (an endpoint that hangs until the timeout keeps a handful waiting, a fast one the full number).
     */
    private int waitingBound(Endpoint endpoint) {
        double withinHalfLease = endpoint.limit.get() * (settings.lease().toMillis() / 2.0) / endpoint.attemptMillis;
        long startEvery = endpoint.startEveryNanos;
        if (startEvery > 0) {
            withinHalfLease = Math.min(withinHalfLease, settings.lease().toNanos() / 2.0 / startEvery);
        }
        return (int) Math.min(maxWaiting, withinHalfLease);
    }

    /** Sends waiting deliveries back to the delivery queue while their endpoint has free slots. */
    private void dispatchWaiting(Endpoint endpoint) {
        int free = endpoint.limit.get() - endpoint.inFlight.get();
        for (int i = 0; i < free; i++) {
            if (endpoint.waiting.isEmpty()) {
                return;
            }
            long startEvery = endpoint.startEveryNanos;
            if (startEvery > 0) {
                // one a turn: the claim sent takes the turn when it comes back, about when the next is due
                long untilTurn = endpoint.nextStart.get() - System.nanoTime();
                wakeUpAfter(endpoint, untilTurn > 0 ? untilTurn : startEvery);
                if (untilTurn > 0 || i > 0) {
                    return;
                }
            }
            Object claim = endpoint.waiting.poll();
            if (claim == null) {
                return;
            }
            endpoint.waitingCount.decrementAndGet();
            // never block a delivery thread on its own queue: when it is full, the claim waits for the next turn
            Exchange sent = producer.send(NO_WAIT_QUEUE, e -> e.getMessage().setBody(claim));
            if (sent.getException() != null) {
                endpoint.waitingCount.incrementAndGet();
                endpoint.waiting.add(claim);
                return;
            }
        }
    }

    /** Sends the endpoint's waiting deliveries on after this long, unless a timer is set already. */
    private void wakeUpAfter(Endpoint endpoint, long nanos) {
        if (!endpoint.wakeUpSet.compareAndSet(false, true)) {
            return;
        }
        try {
            rateTimer.schedule(() -> {
                endpoint.wakeUpSet.set(false);
                dispatchWaiting(endpoint);
            }, nanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException stopping) {
            endpoint.wakeUpSet.set(false); // shutting down: the waiting are handed back to the database
        }
    }

    /** The endpoint's rate limit as the time between attempt starts, from the loaded delivery; 0 for none. */
    private static long startEveryNanos(Exchange exchange) {
        Object rate = exchange.getMessage().getBody(Map.class).get("rate_limit");
        return rate instanceof Number perSecond && perSecond.longValue() > 0
                ? TimeUnit.SECONDS.toNanos(1) / perSecond.longValue() : 0;
    }

    /** Whether the endpoint's rate limit (if any) lets an attempt start now. */
    private static boolean startsNow(Endpoint endpoint) {
        return endpoint.startEveryNanos == 0 || System.nanoTime() - endpoint.nextStart.get() >= 0;
    }

    /**
     * Takes the rate limit's turn, if it is due: the next is one spacing later. A start that came a little late (up to
     * half a spacing) keeps the schedule, so the hand-offs between the timer and the attempt do not slow the rate (at
     * 100 a second they took it to 90); after a longer gap the schedule starts again from now, so no burst makes up for
     * an idle spell. With half a spacing, not a whole one, no second holds more than the rate and one: the audit saw
     * 7 in a second at 5 a second, a start 199 ms late and the next 1 ms after it.
     */
    private static boolean startUnderRateLimit(Endpoint endpoint) {
        long startEvery = endpoint.startEveryNanos;
        if (startEvery == 0) {
            return true;
        }
        while (true) {
            long now = System.nanoTime();
            long due = endpoint.nextStart.get();
            long late = now - due;
            if (late < 0) {
                return false;
            }
            long next = (late <= startEvery / 2 ? due : now) + startEvery;
            if (endpoint.nextStart.compareAndSet(due, next)) {
                return true;
            }
        }
    }

    /** Graceful shutdown: every waiting claim, taken out, to be handed back to the database. */
    public List<Object> drainWaiting() {
        List<Object> claims = new ArrayList<>();
        for (Endpoint endpoint : endpoints.values()) {
            for (Object claim = endpoint.waiting.poll(); claim != null; claim = endpoint.waiting.poll()) {
                endpoint.waitingCount.decrementAndGet();
                claims.add(claim);
            }
        }
        return claims;
    }

    /**
     * Step {@code pass-turn-on}: a waiting claim sent back to the delivery queue whose delivery is no longer pending
     * under it (the endpoint was disabled, the delivery held, recovered or discarded) makes no attempt, so no slot
     * is given back after it: the next waiting claim is woken here instead, or the ones behind it (a recovered
     * delivery among them) would wait until their leases ran out.
     */
    public void passTurnOn(Exchange exchange) {
        String endpointId = exchange.getProperty(WAITED_FOR, String.class);
        Endpoint endpoint = endpointId == null ? null : endpoints.get(endpointId);
        if (endpoint != null) {
            dispatchWaiting(endpoint);
        }
    }

    /** Attempts running now to one endpoint, as an operator (and a test) sees it. */
    public int inFlight(String endpointId) {
        Endpoint endpoint = endpoints.get(endpointId);
        return endpoint == null ? 0 : Math.max(0, endpoint.inFlight.get());
    }

    /**
     * Parameters of release-busy-delivery: the claim to give back, and when to look at the delivery again: after
     * busy-retry-delay, or after an attempt's time at its endpoint's recent pace and current bound (at most a lease;
     * none before an attempt has ended), so an endpoint that hangs is asked again once a timeout, not every second,
     * for each of its deliveries.
     */
    public Map<String, Object> release(Exchange exchange) {
        Endpoint endpoint = endpoints.get(endpointOf(exchange));
        return Map.of(
                "id", exchange.getProperty(DeliveryProperties.DELIVERY_ID, String.class),
                "lease_owner", exchange.getProperty(DeliveryProperties.CLAIM, String.class),
                "next_attempt_at", OffsetDateTime.now(ZoneOffset.UTC).plus(recheckAfter(endpoint)));
    }

    /**
     * For the fan-out and the retry scheduler: null when a delivery to this endpoint should be claimed and handed over
     * now; otherwise (as many deliveries waiting as it may have) how long until it should be looked at, so it stays in
     * the database unclaimed instead of being claimed and loaded only to be given back, one commit each. Before the
     * endpoint's first attempt has ended that is busy-retry-delay, as for a delivery given back.
     */
    public Duration busyFor(Object endpointId) {
        Endpoint endpoint = endpoints.get(String.valueOf(endpointId));
        if (endpoint == null || (endpoint.waitingCount.get() < waitingBound(endpoint) && pauseLeft(endpoint) == null)) {
            return null;
        }
        return recheckAfter(endpoint);
    }

    /**
     * Room among those waiting opens when an attempt ends: one attempt's time at the current bound, at least
     * busy-retry-delay (an endpoint that hangs: the timeout). It was the time all those waiting would take at the
     * current bound, which is half a lease whenever the waiting are full; but the bound grows with each success, so
     * they were gone in seconds and the receiver sat idle for the rest of the minute (a recover of 111 deliveries to an
     * endpoint answering in 1.2 s: 53 s idle with deliveries due).
     */
    private Duration recheckAfter(Endpoint endpoint) {
        Duration delay = settings.busyRetryDelay();
        if (endpoint != null && endpoint.paced) {
            long roomMillis = (long) (endpoint.attemptMillis / endpoint.limit.get());
            delay = Collections.max(List.of(delay, Duration.ofMillis(Math.min(roomMillis, settings.lease().toMillis()))));
        }
        if (endpoint != null && endpoint.startEveryNanos > 0) {
            // under a rate limit those waiting leave at its pace, whatever the bound: look again when half have gone.
            // No more than the bound counts: after the rate was lowered more may wait than the new rate starts in half
            // a lease, and the time for all of them held deliveries back for minutes, even once the limit was taken off
            long waiting = Math.min(endpoint.waitingCount.get(), waitingBound(endpoint));
            Duration halfGone = Duration.ofNanos(endpoint.startEveryNanos * waiting / 2);
            delay = halfGone.compareTo(delay) > 0 ? halfGone : delay;
        }
        Duration paused = endpoint == null ? null : pauseLeft(endpoint);
        return paused != null && paused.compareTo(delay) > 0 ? paused : delay;
    }

    /**
     * The claim as the delivery queue carries it (what the fan-out and the retry scheduler hand over), with the
     * endpoint it waited for, to pass the turn on if it finds its delivery gone.
     */
    private static Map<String, Object> claim(Exchange exchange) {
        return Map.of("id", exchange.getProperty(DeliveryProperties.DELIVERY_ID, String.class),
                "lease_owner", exchange.getProperty(DeliveryProperties.CLAIM, String.class),
                "endpoint_id", endpointOf(exchange));
    }

    private static String endpointOf(Exchange exchange) {
        Object endpointId = exchange.getMessage().getBody(Map.class).get("endpoint_id");
        if (endpointId == null) {
            throw new IllegalStateException("no endpoint_id on the loaded delivery");
        }
        return endpointId.toString();
    }
}

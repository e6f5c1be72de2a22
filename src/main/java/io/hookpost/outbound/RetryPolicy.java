package io.hookpost.outbound;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import io.hookpost.HookpostProperties;
import org.apache.camel.Exchange;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * What follows a failed attempt: another try in memory soon (Camel redelivery), a try scheduled in the
 * database later, holding the delivery (its endpoint is disabled), or giving up (schedule used up).
 * The schedule is the endpoint's, or {@code hookpost.delivery.retry-schedule}; each delay gets a little
 * jitter, and a 429/503 {@code Retry-After} is honoured up to {@code hookpost.delivery.max-retry-after}.
 */
@Component("retryPolicy")
public class RetryPolicy {
    public static final String ENDPOINT_DISABLED = "hookpost.endpointDisabled";

    private final HookpostProperties.Delivery settings;
    private final RetrySchedule defaultSchedule;
    private final JdbcTemplate jdbc;

    public RetryPolicy(HookpostProperties properties, JdbcTemplate jdbc) {
        this.settings = properties.delivery();
        this.defaultSchedule = new RetrySchedule(settings.retrySchedule());
        this.jdbc = jdbc;
    }

    /** Step {@code classify-failure}: adds what the failure counting needs to the attempt row. */
    public Map<String, Object> classify(Exchange exchange) {
        Map<String, Object> attempt = attempt(exchange);
        Map<String, Object> delivery = delivery(exchange);
        boolean gone = Integer.valueOf(410).equals(attempt.get("response_status"));
        Object perEndpoint = delivery.get("disable_after_failures");
        int threshold = perEndpoint != null ? ((Number) perEndpoint).intValue() : settings.disableAfterFailures();
        attempt.put("gone", gone);
        attempt.put("disable_after", threshold);
        attempt.put("disable_reason", gone ? "The endpoint answered 410 Gone."
                : "Disabled after " + threshold + " consecutive failed attempts.");
        // to the microsecond, as the database keeps it: endpoint.disabled then tells the times the API shows
        attempt.put("now", OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS));
        return attempt;
    }

    /** Step {@code give-up-attempt}: hands the failure to the deliver route's error handling. */
    public void fail(Exchange exchange) throws DeliveryAttemptFailed {
        Map<String, Object> attempt = attempt(exchange);
        Object status = attempt.get("response_status");
        throw new DeliveryAttemptFailed("attempt " + attempt.get("attempt_number") + " of delivery "
                + attempt.get("delivery_id") + " failed: " + (status != null ? "HTTP " + status : attempt.get("error")));
    }

    /**
     * The deliver route's {@code retryWhile}: true when the next try is due soon enough to wait for in memory, and
     * Hookpost is not stopping, and no manual retry was asked for while this attempt ran.
     * Sets the exchange's redelivery delay (Camel reads {@link Exchange#REDELIVERY_DELAY}).
     */
    public boolean retryInProcess(Exchange exchange) {
        if (exchange.getContext().isStopping() || exchange.getContext().isStopped()) {
            // stopping (SIGTERM): the next try goes to the database at its due time, not spent during the stop
            return false;
        }
        Optional<Duration> next = nextDelay(exchange);
        if (next.isEmpty() || next.get().compareTo(settings.inProcessMaxDelay()) > 0 || !endsWithinClaim(exchange, next.get())) {
            return false;
        }
        if (retryAskedDuringAttempt(exchange)) {
            // delivery-failed's schedule-retry makes it due now, as the retry's answer said, for the retry scheduler
            return false;
        }
        exchange.getIn().setHeader(Exchange.REDELIVERY_DELAY, next.get().toMillis());
        return true;
    }

    /**
     * Whether a manual retry was asked for while this attempt ran: its flag set again under this claim (the load took
     * one asked for before). Read from the database, where the retry's request (on any instance) left it; only after
     * a failed attempt whose next try would wait in memory.
     */
    private boolean retryAskedDuringAttempt(Exchange exchange) {
        List<Boolean> asked = jdbc.queryForList("SELECT retry_requested FROM deliveries WHERE id = ? AND lease_owner = ?",
                Boolean.class, exchange.getProperty(DeliveryProperties.DELIVERY_ID),
                exchange.getProperty(DeliveryProperties.CLAIM));
        return !asked.isEmpty() && Boolean.TRUE.equals(asked.get(0));
    }

    /**
     * Whether the next try, after this delay and at most the timeout, ends before this exchange's claim does. After
     * that the retry scheduler may claim the delivery again, and it did: the retry went out when the lease ended, ahead
     * of its schedule (a lease shorter than in-process-max-delay, or a schedule of many short delays to an endpoint
     * that times out). Otherwise the retry is planned in the database, due when its schedule says.
     */
    private boolean endsWithinClaim(Exchange exchange, Duration delay) {
        OffsetDateTime claimUntil = exchange.getProperty(DeliveryProperties.CLAIM_UNTIL, OffsetDateTime.class);
        return claimUntil == null
                || OffsetDateTime.now(ZoneOffset.UTC).plus(delay).plus(settings.timeout()).isBefore(claimUntil);
    }

    /** Step {@code plan-next-attempt} of delivery-failed: the decision, as parameters for its SQL. */
    public Map<String, Object> planAfterFailure(Exchange exchange) {
        Map<String, Object> attempt = attempt(exchange);
        Map<String, Object> plan = new LinkedHashMap<>();
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        plan.put("delivery_id", attempt.get("delivery_id"));
        plan.put("endpoint_id", attempt.get("endpoint_id"));
        plan.put("account_id", attempt.get("account_id"));
        plan.put("claim", exchange.getProperty(DeliveryProperties.CLAIM));
        plan.put("attempts", attempt.get("attempt_number"));
        plan.put("last_status", attempt.get("response_status"));
        plan.put("last_error", attempt.get("error"));
        plan.put("url", attempt.get("request_url"));
        // for the operator's log line when the schedule runs out: why, without looking the delivery up
        plan.put("last_outcome", attempt.get("response_status") != null ? "HTTP " + attempt.get("response_status")
                : attempt.get("error"));
        plan.put("now", now);
        // the operator is told once that a delivery's schedule ran out, not again each time a manual retry or a
        // recover of it fails (a retry or recover of a delivery whose schedule ran out is one attempt)
        plan.put("notify", !manual(exchange));
        if (endpointDisabled(exchange)) {
            plan.put("decision", "held");
        } else {
            Optional<Duration> next = nextDelay(exchange);
            plan.put("decision", next.isPresent() ? "retry" : "exhausted");
            plan.put("next_attempt_at", next.map(d -> now.plus(d)).orElse(null));
        }
        return plan;
    }

    /** The wait before the next try, jittered and stretched by Retry-After; empty when there is none. */
    Optional<Duration> nextDelay(Exchange exchange) {
        if (endpointDisabled(exchange)) {
            return Optional.empty();
        }
        Map<String, Object> attempt = attempt(exchange);
        int failedAttempt = ((Number) attempt.get("attempt_number")).intValue();
        Object custom = delivery(exchange).get("retry_schedule");
        RetrySchedule schedule = custom != null ? RetrySchedule.parse((String) custom) : defaultSchedule;
        return schedule.delayAfter(failedAttempt).map(delay -> {
            Duration jittered = delay.plusMillis(
                    (long) (delay.toMillis() * settings.jitter() * ThreadLocalRandom.current().nextDouble()));
            Object retryAfterMs = attempt.get("retry_after_ms");
            if (retryAfterMs != null) {
                Duration retryAfter = Duration.ofMillis((Long) retryAfterMs);
                if (retryAfter.compareTo(settings.maxRetryAfter()) > 0) {
                    retryAfter = settings.maxRetryAfter();
                }
                if (retryAfter.compareTo(jittered) > 0) {
                    return retryAfter;
                }
            }
            return jittered;
        });
    }

    /** The attempt a manual retry or a recover ({@code …/retry}, {@code …/recover}) asked for. */
    private static boolean manual(Exchange exchange) {
        return "manual".equals(attempt(exchange).get("trigger_kind"));
    }

    private static boolean endpointDisabled(Exchange exchange) {
        Map<String, Object> attempt = attempt(exchange);
        // converted: the route sets it as YAML's constant, the string "true"
        return exchange.getProperty(ENDPOINT_DISABLED, false, Boolean.class) || Boolean.TRUE.equals(attempt.get("gone"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> attempt(Exchange exchange) {
        return exchange.getProperty(DeliveryProperties.ATTEMPT, Map.class);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> delivery(Exchange exchange) {
        return exchange.getProperty(DeliveryProperties.DELIVERY, Map.class);
    }
}

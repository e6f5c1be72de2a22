package io.hookpost.ops;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.camel.ExchangeProperty;
import org.springframework.stereotype.Component;

/**
 * Hookpost's own counters, for Prometheus at {@code /actuator/prometheus}. Small methods the routes and steps
 * call where things happen; the gauges read from the database and the broker are in {@link OpsGauges}.
 *
 * <ul>
 * <li>{@code hookpost_deliveries_total{outcome}}: what each attempt led to, exactly one outcome per attempt:
 *     {@code delivered} (2xx), {@code retry} (failed, tried again: in memory or scheduled in the database),
 *     {@code failed} (failed, retry schedule used up), {@code held} (failed, endpoint disabled)</li>
 * <li>{@code hookpost_attempt_duration_seconds{outcome}}: histogram of HTTP attempts, outcome {@code success},
 *     {@code http_error} (answered, not 2xx), {@code timeout}, {@code blocked} (SSRF guard), {@code error}</li>
 * <li>{@code hookpost_events_ingested_total{source}}: events recorded (once per account and event id) by the
 *     fan-out; source {@code api}, {@code queue}, {@code inbound}, {@code system}</li>
 * <li>{@code hookpost_events_invalid_total}: queue messages that could never be an event (parked)</li>
 * <li>{@code hookpost_inbound_callbacks_total{provider,result}}: provider callbacks by verification result</li>
 * <li>{@code hookpost_history_deleted_total{kind}}: rows the history retention deleted: {@code deliveries},
 *     {@code attempts}, {@code events}, {@code callbacks}</li>
 * </ul>
 */
@Component("hookpostMetrics")
public class HookpostMetrics {
    public static final List<String> DELIVERY_OUTCOMES = List.of("delivered", "retry", "failed", "held");
    public static final List<String> ATTEMPT_OUTCOMES = List.of("success", "http_error", "timeout", "blocked", "error");
    public static final List<String> HISTORY_KINDS = List.of("deliveries", "attempts", "events", "callbacks",
            "message_statuses", "endpoints");
    /** Label values from callers are kept to this shape, so a bug cannot flood Prometheus with series. */
    private static final Pattern LABEL = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,39}");
    private static final Duration[] ATTEMPT_BUCKETS = {
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30)};

    private final MeterRegistry registry;
    // Every known series registered once, from the start, at 0: a rate() over a series that appears late misses its
    // first step. Kept here: registering again on every attempt looks the meter up through the registry's filters
    // each time (1.1 % of the delivery threads' CPU samples in a profile of the benchmark's S2, issue 7).
    private final Map<String, Counter> deliveries;
    private final Map<String, Timer> attempts;
    private final Map<String, Counter> eventsIngested = new ConcurrentHashMap<>();
    private final Counter invalidEvents;
    private final Map<String, Counter> historyDeleted;

    public HookpostMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.deliveries = Stream.concat(DELIVERY_OUTCOMES.stream(), Stream.of("other"))
                .collect(Collectors.toUnmodifiableMap(Function.identity(), this::deliveries));
        this.attempts = ATTEMPT_OUTCOMES.stream()
                .collect(Collectors.toUnmodifiableMap(Function.identity(), this::attempts));
        eventsIngested.put("api", eventsIngested("api"));
        this.invalidEvents = invalidEvents();
        this.historyDeleted = HISTORY_KINDS.stream()
                .collect(Collectors.toUnmodifiableMap(Function.identity(), this::historyDeleted));
    }

    /** One attempt's consequence: delivered, retry, failed or held. */
    public void delivery(String outcome) {
        deliveries.get(outcome != null && deliveries.containsKey(outcome) ? outcome : "other").increment();
    }

    /** One HTTP attempt and how long it took (see {@link #ATTEMPT_OUTCOMES}). */
    public void attempt(String outcome, Duration took) {
        attempts.get(outcome != null && attempts.containsKey(outcome) ? outcome : "error").record(took);
    }

    /** An event recorded for the first time; {@code source} as stored with the event. */
    public void eventIngested(String source) {
        eventsIngested.computeIfAbsent(label(source), this::eventsIngested).increment();
    }

    /** Route step: the event the fan-out has just recorded (its row, with its source). */
    public void eventRecorded(@ExchangeProperty("hookpost.event") Map<String, Object> event) {
        eventIngested(event == null ? null : String.valueOf(event.get("source")));
    }

    /** Rows of one kind (see {@link #HISTORY_KINDS}) the history retention or an account's erasure deleted. */
    public void historyDeleted(String kind, long rows) {
        Counter counter = historyDeleted.get(kind);
        if (counter != null && rows > 0) {
            counter.increment(rows);
        }
    }

    /** A queue message parked as invalid. */
    public void eventInvalid() {
        invalidEvents.increment();
    }

    /**
     * One provider callback: {@code provider} is the provider's API name ({@code sendgrid}, {@code twilio} …),
     * {@code result} how its verification went, e.g. {@code verified}, {@code rejected}, {@code unknown_connection}.
     */
    public void inboundCallback(String provider, String result) {
        Counter.builder("hookpost.inbound.callbacks")
                .description("Provider callbacks received, by provider and verification result")
                .tag("provider", label(provider))
                .tag("result", label(result))
                .register(registry)
                .increment();
    }

    private Counter deliveries(String outcome) {
        return Counter.builder("hookpost.deliveries")
                .description("Delivery attempts by what they led to: delivered, retry, failed (given up) or held")
                .tag("outcome", outcome)
                .register(registry);
    }

    private Timer attempts(String outcome) {
        return Timer.builder("hookpost.attempt.duration")
                .description("HTTP delivery attempts, from the request to the last byte kept or the error")
                .tag("outcome", outcome)
                .serviceLevelObjectives(ATTEMPT_BUCKETS)
                .register(registry);
    }

    private Counter eventsIngested(String source) {
        return Counter.builder("hookpost.events.ingested")
                .description("Events recorded by the fan-out, once per account and event id")
                .tag("source", source)
                .register(registry);
    }

    private Counter historyDeleted(String kind) {
        return Counter.builder("hookpost.history.deleted")
                .description("Rows the history retention deleted, and the erasure of deleted accounts, by kind:"
                        + " deliveries, attempts, events, callbacks, message_statuses, endpoints (deleted ones)")
                .tag("kind", kind)
                .register(registry);
    }

    private Counter invalidEvents() {
        return Counter.builder("hookpost.events.invalid")
                .description("Queue messages that could never be an event, parked on the invalid queue")
                .register(registry);
    }

    private static String label(String value) {
        if (value == null) {
            return "unknown";
        }
        String lower = value.trim().toLowerCase(Locale.ROOT);
        return LABEL.matcher(lower).matches() ? lower : "other";
    }
}

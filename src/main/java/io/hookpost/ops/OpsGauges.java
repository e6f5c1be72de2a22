package io.hookpost.ops;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.ToDoubleFunction;

import io.hookpost.HookpostProperties;
import io.hookpost.outbound.EndpointSlots;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Gauges for Prometheus. From the database (through {@link DeliveryBacklog}, so at most one query per
 * {@code hookpost.ops.gauge-refresh}; NaN while the database cannot be read):
 * {@code hookpost_deliveries_pending}, {@code hookpost_deliveries_waiting_retry} (pending after a failed
 * attempt), {@code hookpost_deliveries_held}, {@code hookpost_deliveries_overdue}, {@code hookpost_endpoints_disabled},
 * {@code hookpost_broadcasts_sending} and {@code hookpost_broadcasts_oldest_sending_seconds} (broadcasts not yet
 * queued for every account, and how long the oldest has waited since it was asked for).
 * From memory: {@code hookpost_endpoints_retry_after}, endpoints paused by their receiver's Retry-After in this
 * instance, and {@code hookpost_endpoints_rate_limited}, endpoints with deliveries waiting for their rate limit's turn.
 * From the embedded broker or RabbitMQ: {@code hookpost_queue_messages{queue}} for the events, invalid events and
 * inbound queues (with an external Artemis, read the broker's own metrics instead: these gauges are not registered).
 */
@Configuration
public class OpsGauges {

    @Bean
    MeterBinder deliveryBacklogGauges(DeliveryBacklog backlog) {
        return registry -> {
            gauge(registry, backlog, "hookpost.deliveries.pending", "Deliveries waiting for an attempt (first or retry)",
                    DeliveryBacklog.Snapshot::pending);
            gauge(registry, backlog, "hookpost.deliveries.waiting.retry", "Pending deliveries that have failed at least once",
                    DeliveryBacklog.Snapshot::waitingRetry);
            gauge(registry, backlog, "hookpost.deliveries.held", "Deliveries held because their endpoint is disabled",
                    DeliveryBacklog.Snapshot::held);
            gauge(registry, backlog, "hookpost.deliveries.overdue",
                    "Pending deliveries due longer ago than hookpost.ops.backlog.overdue-after",
                    DeliveryBacklog.Snapshot::overdue);
            gauge(registry, backlog, "hookpost.endpoints.disabled",
                    "Endpoints disabled, automatically or over the API (not deleted)",
                    DeliveryBacklog.Snapshot::disabledEndpoints);
            gauge(registry, backlog, "hookpost.broadcasts.sending",
                    "Broadcasts recorded and not yet put on the events queue for every account",
                    DeliveryBacklog.Snapshot::broadcastsSending);
            Gauge.builder("hookpost.broadcasts.oldest.sending", backlog, b -> value(b,
                            s -> s.oldestBroadcastRequestedAt() == null ? 0
                                    : Math.max(0, Duration.between(s.oldestBroadcastRequestedAt(), Instant.now())
                                    .toMillis() / 1000.0)))
                    .description("How long the broadcast asked for longest ago has been sending (0 when none is)")
                    .baseUnit("seconds")
                    .register(registry);
        };
    }

    @Bean
    MeterBinder retryAfterGauge(EndpointSlots slots) {
        return registry -> Gauge.builder("hookpost.endpoints.retry.after", slots, EndpointSlots::pausedNow)
                .description("Endpoints whose receiver answered 429/503 with Retry-After and gets nothing until then,"
                        + " in this instance")
                .register(registry);
    }

    @Bean
    MeterBinder rateLimitedGauge(EndpointSlots slots) {
        return registry -> Gauge.builder("hookpost.endpoints.rate.limited", slots, EndpointSlots::rateLimitedNow)
                .description("Endpoints with deliveries waiting in memory for their rate limit's turn,"
                        + " in this instance")
                .register(registry);
    }

    @Bean
    MeterBinder queueDepthGauges(ObjectProvider<EmbeddedActiveMQ> embedded, ObjectProvider<RabbitMqQueues> rabbitmq,
                                 HookpostProperties properties) {
        return registry -> {
            EmbeddedActiveMQ broker = embedded.getIfAvailable();
            RabbitMqQueues rabbit = rabbitmq.getIfAvailable();
            ToDoubleFunction<String> depth = broker != null ? queue -> messages(broker, queue)
                    : rabbit != null ? rabbit::messagesReady : null;
            if (depth == null) {
                return;
            }
            String events = properties.events().queue();
            for (String queue : List.of(events, events + ".invalid", properties.inbound().queue())) {
                Gauge.builder("hookpost.queue.messages", depth, d -> d.applyAsDouble(queue))
                        .description("Messages on a Hookpost queue: on the embedded broker waiting or being delivered,"
                                + " on RabbitMQ waiting (ready)")
                        .tag("queue", queue)
                        // the function is held by nothing else (a gauge's state is weakly held by default)
                        .strongReference(true)
                        .register(registry);
            }
        };
    }

    private static double messages(EmbeddedActiveMQ broker, String name) {
        ActiveMQServer server = broker.getActiveMQServer();
        if (server == null || !server.isActive()) {
            return Double.NaN;
        }
        Queue queue = server.locateQueue(SimpleString.of(name));
        // a queue is created with its first message: none yet is an empty queue
        return queue == null ? 0 : queue.getMessageCount();
    }

    private static void gauge(MeterRegistry registry, DeliveryBacklog backlog, String name, String description,
                              ToDoubleFunction<DeliveryBacklog.Snapshot> value) {
        Gauge.builder(name, backlog, b -> value(b, value))
                .description(description)
                .register(registry);
    }

    private static double value(DeliveryBacklog backlog, ToDoubleFunction<DeliveryBacklog.Snapshot> value) {
        DeliveryBacklog.Snapshot snapshot = backlog.current();
        return snapshot == null || !snapshot.ok() ? Double.NaN : value.applyAsDouble(snapshot);
    }
}

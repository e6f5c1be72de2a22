package io.hookpost.outbound;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.seda.SedaEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.Ordered;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Graceful shutdown, first step: deliveries claimed but still waiting for a delivery thread (in the
 * {@code seda:deliver} queue) are handed back, their leases released, so the next start (or another instance)
 * takes them at once instead of after the lease expires. Runs before Camel stops; Camel then lets the attempts
 * in flight finish within {@code camel.main.shutdown-timeout}. Whatever is still unfinished after that keeps
 * its lease and is taken over when the lease expires: nothing is lost either way.
 */
@Component
public class DeliveryHandBack implements ApplicationListener<ContextClosedEvent>, Ordered {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryHandBack.class);
    private static final List<String> FEEDERS = List.of("retry-scheduler", "fanout");
    private final CamelContext camel;
    private final JdbcTemplate jdbc;
    private final EndpointSlots slots;

    public DeliveryHandBack(CamelContext camel, JdbcTemplate jdbc, EndpointSlots slots) {
        this.camel = camel;
        this.slots = slots;
        this.jdbc = jdbc;
    }

    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        // first stop what feeds the queue: a retry-scheduler poll or the fan-out running after the drain would
        // claim again what was just handed back, and Camel's shutdown would then wait for all of it
        for (String feeder : FEEDERS) {
            if (camel.getRoute(feeder) != null) {
                try {
                    camel.getRouteController().stopRoute(feeder);
                } catch (Exception e) {
                    LOG.warn("Shutting down: could not stop route {} before the hand-back: {}", feeder, e.toString());
                }
            }
        }
        SedaEndpoint deliver = camel.getEndpoint("seda:deliver", SedaEndpoint.class);
        List<Exchange> waiting = new ArrayList<>();
        deliver.getQueue().drainTo(waiting);
        List<Map<?, ?>> claims = new ArrayList<>();
        waiting.forEach(exchange -> claims.add(exchange.getMessage().getBody(Map.class)));
        // and those waiting in memory for a slot on their endpoint
        slots.drainWaiting().forEach(claim -> claims.add((Map<?, ?>) claim));
        int released = 0;
        for (Map<?, ?> claim : claims) {
            released += jdbc.update("UPDATE deliveries SET lease_owner = NULL, lease_until = NULL"
                    + " WHERE id = ? AND lease_owner = ? AND status = 'pending'", claim.get("id"), claim.get("lease_owner"));
        }
        LOG.info("Shutting down: {} deliveries waiting for a delivery thread were handed back ({} leases released)",
                claims.size(), released);
    }

    @Override
    public int getOrder() {
        // before Camel's own listener stops the routes
        return Ordered.HIGHEST_PRECEDENCE;
    }
}

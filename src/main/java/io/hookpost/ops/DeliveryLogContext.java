package io.hookpost.ops;

import java.util.List;

import io.hookpost.outbound.DeliveryProperties;
import io.hookpost.outbound.EventReader;
import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.support.processor.DelegateAsyncProcessor;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;

/**
 * The event, delivery and endpoint ids of an exchange in the logging MDC while each step of a route runs with it, so
 * every log line about a delivery carries them (the log pattern's {@code %X{hookpost.deliveryId}} …, or fields of JSON
 * logs), whichever thread the step runs on; afterwards the thread's MDC is as it was.
 * <p>
 * Written by hand instead of using camel-mdc, which did the same: around every step it copied the thread's whole MDC map
 * twice, put and removed seven keys of its own and split its list of property names anew, a sixth of all the memory a
 * delivery allocated (bench/RESULTS.md). This reads the three properties and touches the MDC only when they differ from
 * what it holds, so a step inside another step of the same delivery costs three lookups.
 */
@Component
public class DeliveryLogContext implements InterceptStrategy {
    /** The exchange properties put in the MDC, under the same names. */
    static final List<String> KEYS = List.of(EventReader.EVENT_ID, DeliveryProperties.DELIVERY_ID,
            DeliveryProperties.ENDPOINT_ID);

    @Override
    public Processor wrapProcessorInInterceptors(CamelContext context, NamedNode definition, Processor target,
                                                 Processor nextTarget) {
        return new DelegateAsyncProcessor(target) {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                String[] previous = enter(exchange);
                try {
                    // an asynchronous step goes on in its callback on another thread, whose steps set their own ids
                    return processor.process(exchange, callback);
                } finally {
                    leave(previous);
                }
            }
        };
    }

    /**
     * Puts the exchange's ids in the MDC where it holds other values (or none); an id the exchange does not have yet
     * leaves the MDC's as it is. Returns the values to put back, or null when nothing was changed.
     */
    static String[] enter(Exchange exchange) {
        String[] previous = null;
        for (int i = 0; i < KEYS.size(); i++) {
            String key = KEYS.get(i);
            Object value = exchange.getProperty(key);
            if (value == null) {
                continue;
            }
            String id = value.toString();
            String held = MDC.get(key);
            if (!id.equals(held)) {
                if (previous == null) {
                    previous = new String[KEYS.size() * 2];
                }
                previous[2 * i] = key; // changed
                previous[2 * i + 1] = held;
                MDC.put(key, id);
            }
        }
        return previous;
    }

    /** Puts back what {@link #enter} changed. */
    static void leave(String[] previous) {
        if (previous == null) {
            return;
        }
        for (int i = 0; i < KEYS.size(); i++) {
            String key = previous[2 * i];
            if (key == null) {
                continue;
            }
            String held = previous[2 * i + 1];
            if (held == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, held);
            }
        }
    }
}

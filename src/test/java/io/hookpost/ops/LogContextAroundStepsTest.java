package io.hookpost.ops;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.AsyncProcessor;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import static org.assertj.core.api.Assertions.assertThat;

/** The ids a step's log lines carry, and the thread's MDC after the step (DeliveryLogContext). */
class LogContextAroundStepsTest {
    private final DefaultCamelContext camel = new DefaultCamelContext();
    private final DeliveryLogContext logContext = new DeliveryLogContext();
    private final List<String> seen = new ArrayList<>();

    @AfterEach
    void clear() {
        MDC.clear();
    }

    private Processor step(Processor target) throws Exception {
        Processor wrapped = logContext.wrapProcessorInInterceptors(camel, null, target, null);
        ((org.apache.camel.Service) wrapped).start();
        return wrapped;
    }

    private Exchange exchangeOf(String eventId, String deliveryId, String endpointId) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty("hookpost.eventId", eventId);
        exchange.setProperty("hookpost.deliveryId", deliveryId);
        exchange.setProperty("hookpost.endpointId", endpointId);
        return exchange;
    }

    private void see() {
        seen.add(MDC.get("hookpost.eventId") + " " + MDC.get("hookpost.deliveryId") + " " + MDC.get("hookpost.endpointId"));
    }

    @Test
    void a_step_logs_with_its_exchanges_ids_and_leaves_the_threads_mdc_as_it_found_it() throws Exception {
        MDC.put("request", "r1");
        step(exchange -> see()).process(exchangeOf("evt_1", "msg_1", "ep_1"));

        assertThat(seen).containsExactly("evt_1 msg_1 ep_1");
        assertThat(MDC.get("hookpost.eventId")).isNull();
        assertThat(MDC.get("hookpost.deliveryId")).isNull();
        assertThat(MDC.get("hookpost.endpointId")).isNull();
        assertThat(MDC.get("request")).isEqualTo("r1");
    }

    @Test
    void an_exchange_without_ids_yet_logs_with_the_ids_of_the_step_around_it_and_another_delivery_with_its_own()
            throws Exception {
        Processor inner = step(exchange -> see());
        Exchange other = exchangeOf("evt_2", "msg_2", "ep_2");
        Exchange none = new DefaultExchange(camel);
        step(exchange -> {
            inner.process(none);
            inner.process(other);
            see();
        }).process(exchangeOf("evt_1", "msg_1", "ep_1"));

        assertThat(seen).containsExactly("evt_1 msg_1 ep_1", "evt_2 msg_2 ep_2", "evt_1 msg_1 ep_1");
        assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
    }

    @Test
    void an_asynchronous_step_gives_the_thread_back_without_the_ids() throws Exception {
        List<Runnable> later = new ArrayList<>();
        AsyncProcessor async = new org.apache.camel.support.AsyncProcessorSupport() {
            @Override
            public boolean process(Exchange exchange, org.apache.camel.AsyncCallback callback) {
                see();
                later.add(() -> callback.done(false));
                return false;
            }
        };
        boolean sync = ((AsyncProcessor) step(async)).process(exchangeOf("evt_1", "msg_1", "ep_1"), done -> see());

        assertThat(sync).isFalse();
        assertThat(MDC.get("hookpost.deliveryId")).isNull();
        later.forEach(Runnable::run); // completes on "another thread": the callback's own steps set their ids
        assertThat(seen).containsExactly("evt_1 msg_1 ep_1", "null null null");
    }
}

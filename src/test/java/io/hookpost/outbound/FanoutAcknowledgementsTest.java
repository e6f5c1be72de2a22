package io.hookpost.outbound;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import io.hookpost.support.HookpostTest;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fan-out consumers acknowledge the events they recorded several at a time ({@link FanoutAcknowledgements}):
 * none stays unacknowledged once the queue is empty, and a failure brings back the ones not yet acknowledged.
 */
class FanoutAcknowledgementsTest extends HookpostTest {
    @Autowired
    EmbeddedActiveMQ broker;
    @Autowired
    CamelContext camel;
    @Autowired
    ProducerTemplate producer;

    private long messagesOn(String queue) {
        Queue found = broker.getActiveMQServer().locateQueue(SimpleString.of(queue));
        return found == null ? 0 : found.getMessageCount();
    }

    @Test
    void events_delivered_are_acknowledged_once_the_queue_has_nothing_more_for_their_consumers() throws Exception {
        createEndpoint(Map.of("url", receiver.url("/acked")));
        for (int i = 0; i < 3; i++) {
            publish(Map.of("type", "host.offline", "data", Map.of("n", i)));
        }
        for (int i = 0; i < 3; i++) {
            receiver.next(WAIT);
        }
        // fewer than acknowledge-every (32) events each: only a consumer's empty poll acknowledges them
        eventually(() -> messagesOn("hookpost.events") == 0, "the events queue holds no message");
    }

    @Test
    void a_failure_brings_back_the_messages_finished_with_but_not_yet_acknowledged() throws Exception {
        String queue = "hookpost.test.acks." + UUID.randomUUID();
        List<String> seen = new CopyOnWriteArrayList<>();
        List<Boolean> redelivered = new CopyOnWriteArrayList<>();
        String routeId = "test-acks-" + queue;
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("jms:queue:" + queue + "?consumerType=Custom&messageListenerContainerFactory=#fanoutListeners"
                        + "&acknowledgementModeName=CLIENT_ACKNOWLEDGE&concurrentConsumers=1")
                        .routeId(routeId)
                        .process(exchange -> {
                            String body = exchange.getMessage().getBody(String.class);
                            seen.add(body);
                            redelivered.add(exchange.getMessage().getHeader("JMSRedelivered", Boolean.class));
                            if (body.equals("fails once") && seen.indexOf(body) == seen.size() - 1) {
                                throw new IllegalStateException("the first attempt fails");
                            }
                        });
            }
        });
        try {
            for (String body : List.of("first", "fails once", "last")) {
                producer.sendBody("jms:queue:" + queue, body);
            }
            eventually(() -> seen.contains("last") && messagesOn(queue) == 0, "the queue is consumed and acknowledged");

            // "first" was finished with before the failure but not acknowledged: the session's recovery brought it back
            assertThat(seen).filteredOn("first"::equals).hasSize(2);
            assertThat(seen).filteredOn("fails once"::equals).hasSize(2);
            assertThat(seen).filteredOn("last"::equals).hasSize(1);
            assertThat(redelivered.get(seen.lastIndexOf("first"))).isTrue();
        } finally {
            camel.getRouteController().stopRoute(routeId);
            camel.removeRoute(routeId);
        }
    }
}

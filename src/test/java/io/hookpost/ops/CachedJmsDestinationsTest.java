package io.hookpost.ops;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.Destination;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;

import io.hookpost.support.HookpostTest;
import org.apache.camel.CamelContext;
import org.apache.camel.component.jms.JmsComponent;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The routes' JMS sends look each queue up once: a destination found through one session serves the sessions of other
 * connections too (the ingest's pooled sessions), and the messages sent to it arrive.
 */
class CachedJmsDestinationsTest extends HookpostTest {
    @Autowired
    CamelContext camel;
    @Autowired
    ConnectionFactory connections;
    @Autowired
    CachedJmsDestinations destinations;

    @Test
    void the_routes_send_through_the_cache() {
        JmsComponent jms = camel.getComponent("jms", JmsComponent.class);
        assertThat(jms.getConfiguration().getDestinationResolver()).isSameAs(destinations);
    }

    @Test
    void a_queue_looked_up_in_one_session_takes_messages_sent_from_another() throws Exception {
        String queue = "hookpost.test.cached-" + account;
        Destination first;
        try (Connection connection = connections.createConnection()) {
            first = destinations.resolveDestinationName(connection.createSession(false, Session.AUTO_ACKNOWLEDGE), queue, false);
        }
        try (Connection connection = connections.createConnection()) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Destination again = destinations.resolveDestinationName(session, queue, false);
            assertThat(again).isSameAs(first);

            MessageConsumer consumer = session.createConsumer(session.createQueue(queue));
            connection.start();
            session.createProducer(again).send(session.createTextMessage("through the cached queue"));
            Message received = consumer.receive(WAIT.toMillis());
            assertThat(((TextMessage) received).getText()).isEqualTo("through the cached queue");
        }
    }
}

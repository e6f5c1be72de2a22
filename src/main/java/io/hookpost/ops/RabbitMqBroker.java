package io.hookpost.ops;

import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.jms.admin.RMQConnectionFactory;
import io.hookpost.HookpostProperties;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import org.messaginghub.pooled.jms.JmsPoolConnectionFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

/**
 * RabbitMQ as the queue in place of the embedded Artemis: profile {@code rabbitmq}, {@code hookpost.rabbitmq.uri}.
 * RabbitMQ's JMS client speaks AMQP 0-9-1 (no plugin on the broker), so the routes' {@code jms:} endpoints, the
 * fan-out's batched acknowledgements and the inbound route's local transactions are the same on either broker. A JMS
 * queue is a plain durable RabbitMQ queue of the same name ({@link RabbitMqQueues}), and Hookpost's messages are
 * persistent.
 * <p>
 * This factory, named as Spring Boot's own, is the one the routes, the request threads' sends ({@link RequestSends})
 * and the {@code jms} health check use; with it Spring Boot starts no Artemis, embedded or client. The profile makes
 * every send a committed transaction: RabbitMQ takes responsibility for the message, durably, when it answers the
 * commit.
 */
@Configuration(proxyBeanMethods = false)
@Profile("rabbitmq")
public class RabbitMqBroker {

    @Bean(destroyMethod = "stop")
    JmsPoolConnectionFactory jmsConnectionFactory(HookpostProperties properties,
                                                  @Value("${spring.artemis.pool.max-connections}") int maxConnections)
            throws JMSException {
        RMQConnectionFactory rabbit = new RMQConnectionFactory();
        rabbit.setUri(uri(properties));
        // a text message stays one on the queue (a JMSType header): the fan-out and the normaliser read text or bytes
        rabbit.setKeepTextMessageType(true);
        rabbit.setReceivingContextConsumer(context -> withJmsDefaults(context.getMessage()));
        JmsPoolConnectionFactory pool = new JmsPoolConnectionFactory();
        pool.setConnectionFactory(rabbit);
        pool.setMaxConnections(maxConnections);
        return pool;
    }

    /** The routes' queues as plain durable AMQP queues ({@code camel.component.jms.destination-resolver}). */
    @Bean(destroyMethod = "close")
    RabbitMqQueues rabbitmqQueues(HookpostProperties properties) throws Exception {
        ConnectionFactory rabbit = new ConnectionFactory();
        rabbit.setUri(uri(properties));
        return new RabbitMqQueues(rabbit);
    }

    /** RabbitMQ gives a message back at once: its consumer holds a failed one first, as Artemis would delay it. */
    @Bean
    RedeliveryHold redeliveryHold(HookpostProperties properties) {
        return new RedeliveryHold(properties.events().redeliveryDelay(), properties.events().maxRedeliveryDelay());
    }

    /**
     * A message another system published without an AMQP priority or timestamp (most clients leave them out) has
     * none in JMS terms, and the client's {@code getJMSPriority} and {@code getJMSTimestamp} then throw: Camel reads
     * every JMS header of a message it receives, so such an event failed on every delivery. It gets JMS's defaults.
     */
    static void withJmsDefaults(Message message) {
        try {
            try {
                message.getJMSPriority();
            } catch (NumberFormatException none) {
                message.setJMSPriority(Message.DEFAULT_PRIORITY);
            }
            try {
                message.getJMSTimestamp();
            } catch (NumberFormatException none) {
                message.setJMSTimestamp(0);
            }
        } catch (JMSException e) {
            throw new IllegalStateException("could not give a received message JMS's default headers", e);
        }
    }

    private static String uri(HookpostProperties properties) {
        String uri = properties.rabbitmq().uri();
        if (uri == null || uri.isBlank()) {
            throw new IllegalStateException("The rabbitmq profile needs hookpost.rabbitmq.uri (HOOKPOST_RABBITMQ_URI)");
        }
        return uri;
    }
}

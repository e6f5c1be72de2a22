package io.hookpost.ops;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.jms.admin.RMQDestination;
import jakarta.jms.Destination;
import jakarta.jms.JMSException;
import jakarta.jms.Session;
import org.springframework.jms.support.destination.CachingDestinationResolver;
import org.springframework.jms.support.destination.DynamicDestinationResolver;

/**
 * The routes' queues on RabbitMQ ({@code rabbitmqQueues}, profile {@code rabbitmq}): each a plain durable AMQP queue of
 * the same name, declared here the first time a route names it, and reached through the default exchange. Plain AMQP
 * (the JMS client's "AMQP destinations") rather than the client's own JMS queues, whose messages it writes in a
 * format of its own: so other systems can put events on the events queue as JSON with any AMQP client, as they can on
 * Artemis, and read the invalid-events queue.
 */
public class RabbitMqQueues implements CachingDestinationResolver, AutoCloseable {
    private final ConnectionFactory rabbit;
    private final Map<String, Destination> queues = new ConcurrentHashMap<>();
    private final DynamicDestinationResolver topics = new DynamicDestinationResolver();
    /** guarded by this */
    private Connection declaring;

    RabbitMqQueues(ConnectionFactory rabbit) {
        this.rabbit = rabbit;
    }

    @Override
    public Destination resolveDestinationName(Session session, String name, boolean pubSub) throws JMSException {
        if (pubSub) {
            return topics.resolveDestinationName(session, name, true);
        }
        Destination queue = queues.get(name);
        if (queue == null) {
            declare(name);
            queue = new RMQDestination(name, "", name, name);
            queues.put(name, queue);
        }
        return queue;
    }

    /** A queue that is there already stays as it is (an operator may have made it a quorum queue, say). */
    private synchronized void declare(String name) throws JMSException {
        try {
            try (Channel channel = connection().createChannel()) {
                channel.queueDeclarePassive(name);
                return;
            } catch (IOException notThere) {
                // the failed passive declaration closed that channel
            }
            try (Channel channel = connection().createChannel()) {
                channel.queueDeclare(name, true, false, false, null);
            }
        } catch (IOException | TimeoutException e) {
            JMSException failed = new JMSException("Could not declare the RabbitMQ queue " + name + ": " + e);
            failed.setLinkedException(e);
            throw failed;
        }
    }

    /** Messages waiting on the queue (not those handed to a consumer); 0 before it exists; NaN when unreachable. */
    public synchronized double messagesReady(String name) {
        Connection connection;
        try {
            connection = connection();
        } catch (IOException | TimeoutException unreachable) {
            return Double.NaN;
        }
        try (Channel channel = connection.createChannel()) {
            return channel.queueDeclarePassive(name).getMessageCount();
        } catch (IOException notThere) {
            return 0;
        } catch (TimeoutException unreachable) {
            return Double.NaN;
        }
    }

    /** Hookpost's own connection for declaring and counting (the JMS client's are the routes'); opened again if lost. */
    private Connection connection() throws IOException, TimeoutException {
        if (declaring == null || !declaring.isOpen()) {
            declaring = rabbit.newConnection("hookpost-queues");
        }
        return declaring;
    }

    @Override
    public void removeFromCache(String name) {
        queues.remove(name);
    }

    @Override
    public void clearCache() {
        queues.clear();
    }

    @Override
    public synchronized void close() throws IOException {
        if (declaring != null && declaring.isOpen()) {
            declaring.close();
        }
    }
}

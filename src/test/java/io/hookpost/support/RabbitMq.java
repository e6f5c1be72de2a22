package io.hookpost.support;

import java.io.IOException;
import java.util.List;
import java.util.UUID;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import org.junit.jupiter.api.Assumptions;

/**
 * The RabbitMQ server for the tests of the {@code rabbitmq} profile (default
 * {@code amqp://guest:guest@127.0.0.1:5672/%2F}; override with HOOKPOST_TEST_RABBITMQ_URI). Without a server the class
 * is skipped with a message, except in CI (CI=true), where a missing server fails the build. Each instance names
 * queues of its own, and deletes them when closed.
 */
public final class RabbitMq implements AutoCloseable {
    static final String URI = Postgres.env("HOOKPOST_TEST_RABBITMQ_URI", "amqp://guest:guest@127.0.0.1:5672/%2F");

    private final String prefix = "hookpost_test_" + System.currentTimeMillis() / 1000 + "_"
            + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    private final Connection connection;
    private final String problem;

    public RabbitMq() {
        Connection opened = null;
        String failure = null;
        try {
            ConnectionFactory factory = new ConnectionFactory();
            factory.setUri(URI);
            opened = factory.newConnection("hookpost-tests");
        } catch (Exception e) {
            failure = "RabbitMQ tests need a server at " + URI + ": " + e + ". Start RabbitMQ or set"
                    + " HOOKPOST_TEST_RABBITMQ_URI.";
        }
        this.connection = opened;
        this.problem = failure;
    }

    /** Call from a static @BeforeAll. */
    public void require() {
        if (problem != null && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException(problem);
        }
        Assumptions.assumeTrue(problem == null, problem);
    }

    public String eventsQueue() {
        return prefix + ".events";
    }

    public String inboundQueue() {
        return prefix + ".inbound";
    }

    /** Hookpost's settings for this server and this instance's queues (with the rabbitmq profile). */
    public List<String> settings() {
        return List.of("--hookpost.rabbitmq.uri=" + URI,
                "--hookpost.events.queue=" + eventsQueue(),
                "--hookpost.inbound.queue=" + inboundQueue());
    }

    /**
     * Puts a persistent JSON message on the queue through the default exchange, as a plain AMQP client does: no
     * message-id, priority or timestamp (amqplib's {@code sendToQueue(q, body, {persistent: true})}).
     */
    public void publish(String queue, byte[] body) throws IOException {
        try (Channel channel = connection.createChannel()) {
            channel.basicPublish("", queue, new com.rabbitmq.client.AMQP.BasicProperties.Builder()
                    .deliveryMode(2).contentType("application/json").build(), body);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException(e);
        }
    }

    /** Messages ready on the queue (not those delivered to a consumer and not yet acknowledged). */
    public int messagesReady(String queue) throws IOException {
        try (Channel channel = connection.createChannel()) {
            return channel.queueDeclarePassive(queue).getMessageCount();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException(e);
        }
    }

    /**
     * Whether the queue is on the server and durable: declaring it durable again succeeds only then (a passive
     * declaration first, so a missing queue is not created here).
     */
    public boolean isDurable(String queue) throws IOException {
        try (Channel channel = connection.createChannel()) {
            channel.queueDeclarePassive(queue);
            channel.queueDeclare(queue, true, false, false, null);
            return true;
        } catch (IOException notThereOrNotDurable) {
            return false;
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException(e);
        } catch (com.rabbitmq.client.AlreadyClosedException notDurable) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        if (connection == null) {
            return;
        }
        for (String queue : List.of(eventsQueue(), eventsQueue() + ".invalid", inboundQueue())) {
            try (Channel channel = connection.createChannel()) {
                channel.queueDelete(queue);
            } catch (Exception e) {
                // not made by this run
            }
        }
        connection.close();
    }
}

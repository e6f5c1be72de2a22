package io.hookpost.ops;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

import jakarta.jms.JMSException;
import jakarta.jms.Message;

/**
 * A failed message's wait before its consumer gives it back, on a broker that redelivers at once (RabbitMQ, see
 * {@link RabbitMqBroker}): its first failure waits {@code first}, each further failure of the same message twice as
 * long, up to {@code max}. Without it a fan-out that fails while the database is down would take the message back and
 * fail again as fast as the broker hands it over. Artemis delays redelivery itself (address settings,
 * {@link BrokerSettings}), and there no hold is made.
 * <p>
 * A message is known by its JMS message id, so its count goes on whichever consumer it comes back to; one without an
 * id (put on the queue by another system without one) is counted on its consumer's thread. Written here because
 * RabbitMQ's JMS client has no redelivery delay and Spring's listener containers back off only after a lost
 * connection.
 */
public final class RedeliveryHold {
    private static final long SLICE_MILLIS = 100;
    /** Failing messages remembered at most; past it the counts start again (a message then waits less once). */
    private static final int REMEMBERED = 10_000;
    private final long firstMillis;
    private final long maxMillis;
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();

    public RedeliveryHold(Duration first, Duration max) {
        this.firstMillis = first.toMillis();
        this.maxMillis = Math.max(firstMillis, max.toMillis());
    }

    /** The message was finished with: forget its failures. */
    public void succeeded(Message message) {
        failures.remove(key(message));
    }

    /**
     * Waits before the failed message is given back; stops waiting when {@code running} turns false (the container
     * stops: the message comes back to whoever consumes next).
     */
    public void beforeGivingBack(Message message, BooleanSupplier running) {
        long wait = failed(message);
        long until = System.nanoTime() + wait * 1_000_000;
        try {
            for (long left = wait; left > 0 && running.getAsBoolean();
                 left = (until - System.nanoTime()) / 1_000_000) {
                Thread.sleep(Math.min(left, SLICE_MILLIS));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Counts the message's failure and answers how long it waits, in milliseconds. */
    long failed(Message message) {
        if (failures.size() >= REMEMBERED) {
            failures.clear();
        }
        return delay(failures.merge(key(message), 1, Integer::sum) - 1);
    }

    /** The wait after {@code earlier} failures of a message: first, doubled each time, at most max. */
    long delay(int earlier) {
        long wait = firstMillis;
        for (int i = 0; i < earlier && wait < maxMillis; i++) {
            wait *= 2;
        }
        return Math.min(wait, maxMillis);
    }

    private static String key(Message message) {
        try {
            String id = message.getJMSMessageID();
            if (id != null) {
                return id;
            }
        } catch (JMSException unreadable) {
            // counted on the thread, as one without an id
        }
        return "thread " + Thread.currentThread().getId();
    }
}

package io.hookpost.ops;

import java.time.Duration;

import com.rabbitmq.jms.client.message.RMQTextMessage;
import jakarta.jms.Message;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The wait of a failed message before it is given back, on RabbitMQ: per message, doubling, bounded. */
class RedeliveryHoldTest {
    private final RedeliveryHold hold = new RedeliveryHold(Duration.ofSeconds(1), Duration.ofSeconds(5));

    @Test
    void each_failure_of_a_message_waits_twice_as_stoppingup_to_the_max() throws Exception {
        Message message = message("ID:one");

        assertThat(hold.failed(message)).isEqualTo(1_000);
        assertThat(hold.failed(message)).isEqualTo(2_000);
        assertThat(hold.failed(message)).isEqualTo(4_000);
        assertThat(hold.failed(message)).isEqualTo(5_000);
        assertThat(hold.failed(message)).isEqualTo(5_000);
    }

    @Test
    void each_message_counts_its_own_failures_and_a_success_starts_it_again() throws Exception {
        Message first = message("ID:first");
        Message second = message("ID:second");
        hold.failed(first);
        hold.failed(first);

        assertThat(hold.failed(second)).as("another message's first failure").isEqualTo(1_000);
        hold.succeeded(first);
        assertThat(hold.failed(first)).as("after a success").isEqualTo(1_000);
    }

    @Test
    void a_failed_message_is_held_for_its_wait() throws Exception {
        RedeliveryHold brief = new RedeliveryHold(Duration.ofMillis(300), Duration.ofSeconds(1));

        assertThat(heldFor(brief, message("ID:held"), true)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void a_stopping_consumer_gives_the_message_back_without_the_wait() throws Exception {
        RedeliveryHold stopping = new RedeliveryHold(Duration.ofSeconds(30), Duration.ofSeconds(30));

        assertThat(heldFor(stopping, message("ID:stopping"), false)).isLessThan(Duration.ofSeconds(10));
    }

    /** How long {@code beforeGivingBack} kept the message, its container running or stopping. */
    private static Duration heldFor(RedeliveryHold hold, Message message, boolean running) {
        long started = System.nanoTime();
        hold.beforeGivingBack(message, () -> running);
        return Duration.ofNanos(System.nanoTime() - started);
    }

    private static Message message(String id) throws Exception {
        RMQTextMessage message = new RMQTextMessage();
        message.setJMSMessageID(id);
        return message;
    }
}

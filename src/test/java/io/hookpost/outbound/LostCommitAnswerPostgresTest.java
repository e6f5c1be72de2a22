package io.hookpost.outbound;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

import io.hookpost.support.HookpostPostgresTest;
import io.hookpost.support.Postgres;
import io.hookpost.support.TestReceiver;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.transaction.support.DefaultTransactionStatus;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A group commit that the database committed but whose answer was lost (the connection dropped after the commit was
 * sent, as seen on PostgreSQL during an outage): the fan-out is told it failed, the broker brings the event back, and
 * the event is then recorded already, with deliveries claimed by the fan-out that failed. On PostgreSQL (see
 * {@link Postgres}), where it was seen; also because this application's own transaction manager needs a JVM of its
 * own, which the PostgreSQL tests get.
 */
class LostCommitAnswerPostgresTest extends HookpostPostgresTest {

    /** Set by a test: the next group commit commits, then reports that its commit failed. */
    static final AtomicBoolean LOSE_NEXT_ANSWER = new AtomicBoolean();

    @TestConfiguration
    static class CommitAnswers {
        /** The real transaction manager on the real database; only the answer to one commit goes missing. */
        @Bean
        JdbcTransactionManager transactionManager(DataSource dataSource) {
            return new JdbcTransactionManager(dataSource) {
                @Override
                protected void doCommit(DefaultTransactionStatus status) {
                    super.doCommit(status);
                    if (Thread.currentThread().getName().startsWith("hookpost-group-commit-")
                            && LOSE_NEXT_ANSWER.compareAndSet(true, false)) {
                        throw new TransactionSystemException("Could not commit JDBC transaction: connection lost");
                    }
                }
            };
        }
    }

    @Test
    void deliveries_recorded_by_a_commit_reported_failed_are_sent_when_the_event_comes_back_not_after_their_lease()
            throws Exception {
        try (TestReceiver other = new TestReceiver()) {
            createEndpoint(Map.of("url", receiver.url("/a")));
            createEndpoint(Map.of("url", other.url("/b")));
            Map<String, Object> event = Map.of("id", "evt-lost-answer", "type", "host.offline", "data", Map.of());
            LOSE_NEXT_ANSWER.set(true);

            publish(event);

            // within WAIT (20 s), not after the deliveries' lease (2 min)
            TestReceiver.Received first = receiver.next(WAIT);
            TestReceiver.Received second = other.next(WAIT);
            assertThat(LOSE_NEXT_ANSWER).as("the commit's answer was lost").isFalse();
            List<Map<String, Object>> deliveries = deliveriesOf("evt-lost-answer");
            assertThat(deliveries).as("one delivery per endpoint, from the first fan-out").hasSize(2);
            assertThat(deliveries).extracting(row -> row.get("id"))
                    .containsExactlyInAnyOrder(first.header("webhook-id"), second.header("webhook-id"));
            eventually(() -> count("SELECT COUNT(*) FROM deliveries WHERE account_id = ? AND status = 'delivered'",
                    account) == 2, "both deliveries are recorded delivered");

            // handed over once: the same event published again sends nothing more
            publish(event);
            assertThat(receiver.drain(Duration.ofSeconds(2))).isEmpty();
            assertThat(other.drain(Duration.ZERO)).isEmpty();
        }
    }
}

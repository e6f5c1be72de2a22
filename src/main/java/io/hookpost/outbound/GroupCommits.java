package io.hookpost.outbound;

import java.util.Map;

import io.hookpost.HookpostProperties;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

/** The group commit and the recordings the routes hand to it: events with their deliveries, and attempts. */
@Configuration
public class GroupCommits {

    @Bean
    GroupCommit groupCommit(CamelContext camel, PlatformTransactionManager transactions, HookpostProperties properties,
                            MeterRegistry meters) {
        return new GroupCommit(properties.database().groupCommitMax(), properties.database().groupCommitWriters(),
                properties.database().groupCommitLinger(), camel, transactions, meters);
    }

    @Bean
    Processor recordEvents(GroupCommit groupCommit, UnconfirmedClaims unconfirmed) {
        // the event row: a repeated event's insert waits for the first one's
        Processor recording = groupCommit.recording("direct:record-event", "direct:record-events",
                exchange -> row(exchange, "account_id") + "/" + row(exchange, "id")).waiting();
        return exchange -> {
            recording.process(exchange);
            if (exchange.getException() != null) {
                unconfirmed.remember(exchange);
            }
        };
    }

    @Bean
    GroupCommit.Recording attemptRecording(GroupCommit groupCommit) {
        // the endpoint row: a success resets its failure streak
        return groupCommit.recording("direct:record-attempt", "direct:record-attempts",
                exchange -> row(exchange, "endpoint_id"));
    }

    /** A failed attempt: the delivery thread waits, as the steps after it count the failure and plan the retry. */
    @Bean
    Processor recordAttempts(GroupCommit.Recording attemptRecording) {
        return attemptRecording.waiting();
    }

    /**
     * A successful attempt: the delivery thread goes back to the queue at once, and counting the delivery waits for
     * the commit on the writer's thread. Waiting for each success's commit took a delivery thread off and back on a
     * core for every delivery (bench/RESULTS.md, twenty-first session).
     */
    @Bean
    Processor recordSucceededAttempts(GroupCommit.Recording attemptRecording) {
        return attemptRecording.continuing();
    }

    /** A column of the row map a recording route gets as its body. */
    private static String row(Exchange exchange, String column) {
        Map<?, ?> row = exchange.getIn().getBody(Map.class);
        return row == null ? "" : String.valueOf(row.get(column));
    }
}

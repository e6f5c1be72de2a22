package io.hookpost.outbound;

import java.util.Map;

import io.hookpost.HookpostProperties;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

/** The two group commits the routes use: recording events with their deliveries, and recording attempts. */
@Configuration
public class GroupCommits {

    @Bean
    GroupCommit recordEvents(CamelContext camel, PlatformTransactionManager transactions, HookpostProperties properties) {
        // the event row: a repeated event's insert waits for the first one's
        return new GroupCommit("direct:record-event", null, properties.database().groupCommitMax(),
                properties.database().groupCommitWriters(), exchange -> row(exchange, "account_id") + "/" + row(exchange, "id"),
                camel, transactions);
    }

    @Bean
    GroupCommit recordAttempts(CamelContext camel, PlatformTransactionManager transactions, HookpostProperties properties) {
        // the endpoint row: a success resets its failure streak
        return new GroupCommit("direct:record-attempt", "direct:record-attempts", properties.database().groupCommitMax(),
                properties.database().groupCommitWriters(), exchange -> row(exchange, "endpoint_id"), camel, transactions);
    }

    /** A column of the row map a recording route gets as its body. */
    private static String row(Exchange exchange, String column) {
        Map<?, ?> row = exchange.getIn().getBody(Map.class);
        return row == null ? "" : String.valueOf(row.get(column));
    }
}

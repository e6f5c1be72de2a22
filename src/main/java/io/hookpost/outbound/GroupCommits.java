package io.hookpost.outbound;

import io.hookpost.HookpostProperties;
import org.apache.camel.CamelContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

/** The two group commits the routes use: recording events with their deliveries, and recording attempts. */
@Configuration
public class GroupCommits {

    @Bean
    GroupCommit recordEvents(CamelContext camel, PlatformTransactionManager transactions, HookpostProperties properties) {
        return new GroupCommit("direct:record-event", properties.database().groupCommitMax(), camel, transactions);
    }

    @Bean
    GroupCommit recordAttempts(CamelContext camel, PlatformTransactionManager transactions, HookpostProperties properties) {
        return new GroupCommit("direct:record-attempt", properties.database().groupCommitMax(), camel, transactions);
    }
}

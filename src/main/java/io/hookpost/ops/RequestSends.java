package io.hookpost.ops;

import jakarta.jms.ConnectionFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jms.connection.CachingConnectionFactory;
import org.springframework.stereotype.Component;

/**
 * The connection factory for the sends made on request threads, an event's (POST …/events, route ingest-event) and a
 * verified callback's (the inbound callback routes): {@code requestConnectionFactory} in Camel's registry. Spring
 * Boot's pooled factory lends a connection and then a session from its pools for every send and takes both back after
 * it; under load the request threads queued on the pools' lock (35 s of waits within 50 s of the benchmark's S1,
 * issue 7). Spring's {@code CachingConnectionFactory} holds one of the pool's connections and keeps its sessions, with
 * their producers, for the next send.
 * <p>
 * Bound in Camel's registry only, not as a Spring bean: the pooled factory stays the one Spring Boot's JMS health check
 * reports and the consumers and every other send use ({@code camel.component.jms.connection-factory}).
 */
@Component
public class RequestSends implements CamelContextConfiguration, DisposableBean {
    private final CachingConnectionFactory sessions;

    /** @param requestThreads at most this many sends at once, so as many sessions are kept */
    RequestSends(ConnectionFactory pooled, @Value("${server.tomcat.threads.max}") int requestThreads) {
        this.sessions = new CachingConnectionFactory(pooled);
        sessions.setSessionCacheSize(requestThreads);
        sessions.setCacheConsumers(false);
    }

    @Override
    public void beforeApplicationStart(CamelContext camel) {
        // before the routes are made from their definitions, which look the name up
        camel.getRegistry().bind("requestConnectionFactory", ConnectionFactory.class, sessions);
    }

    @Override
    public void afterApplicationStart(CamelContext camel) {
    }

    @Override
    public void destroy() {
        sessions.destroy();
    }
}

package io.hookpost.api;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import io.hookpost.support.HookpostTest;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.CannotAcquireLockException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An API step whose transaction loses a lock conflict (H2 and PostgreSQL choose a deadlock's victim; seen deleting an
 * endpoint with 10,001 deliveries pending while the retry scheduler claimed them) is run again: the client gets the
 * answer, not a 500; one that keeps losing gets a 503 that says to try again.
 */
class LockConflictRetryTest extends HookpostTest {
    @Autowired
    private CamelContext camel;
    private final AtomicInteger runs = new AtomicInteger();
    private volatile int conflicts;

    @AfterEach
    void removeRoute() throws Exception {
        camel.getRouteController().stopRoute("lock-conflict-test");
        camel.removeRoute("lock-conflict-test");
    }

    private Exchange call() throws Exception {
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                // as an API route that writes: its route configurations (authenticate, answers and failures; lock
                // conflicts run again)
                from("direct:lock-conflict-test").routeId("lock-conflict-test")
                        .routeConfigurationId("api,api-lock-retries")
                        .process(exchange -> {
                            // read as the API's beans read it (@Body byte[]), on every run
                            String body = new String(exchange.getIn().getBody(byte[].class), StandardCharsets.UTF_8);
                            if (runs.incrementAndGet() <= conflicts) {
                                throw new CannotAcquireLockException("Deadlock detected (from the test)");
                            }
                            exchange.getMessage().setBody("made from " + body);
                        });
            }
        });
        return camel.createProducerTemplate().request("direct:lock-conflict-test", exchange -> {
            exchange.getIn().setHeader("Authorization", "Bearer " + ADMIN_TOKEN);
            // a request's body comes as a stream: each run must read it whole
            exchange.getIn().setBody(new java.io.ByteArrayInputStream("{\"since\":\"x\"}".getBytes(
                    StandardCharsets.UTF_8)));
        });
    }

    @Test
    void a_step_that_lost_a_lock_conflict_is_run_again_with_the_whole_request_body_and_answers() throws Exception {
        conflicts = 2;
        Exchange answered = call();
        assertThat(answered.getMessage().getBody(String.class)).isEqualTo("made from {\"since\":\"x\"}");
        assertThat(answered.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isNull();
        assertThat(runs.get()).isEqualTo(3);
    }

    @Test
    void a_step_that_keeps_losing_answers_503_after_the_configured_retries() throws Exception {
        conflicts = Integer.MAX_VALUE;
        Exchange answered = call();
        assertThat(answered.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).isEqualTo(503);
        assertThat(new String(answered.getMessage().getBody(byte[].class), StandardCharsets.UTF_8))
                .contains("Try again shortly");
        assertThat(runs.get()).as("once and hookpost.database.lock-retries (3) more").isEqualTo(4);
    }
}

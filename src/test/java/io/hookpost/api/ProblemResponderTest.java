package io.hookpost.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.TransactionSystemException;

import static org.assertj.core.api.Assertions.assertThat;

/** The problem document an API route answers for a failure it caught. */
class ProblemResponderTest {
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void a_commit_whose_connection_was_lost_is_a_503_that_says_the_change_may_have_been_made() throws Exception {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT,
                new TransactionSystemException("JDBC rollback failed"));

        new ProblemResponder(json).process(exchange);

        assertThat(exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(503);
        assertThat(exchange.getMessage().getHeader("Retry-After")).isEqualTo(ProblemResponder.RETRY_AFTER);
        assertThat(exchange.getMessage().getHeader(Exchange.CONTENT_TYPE)).isEqualTo("application/problem+json");
        JsonNode problem = json.readTree(exchange.getMessage().getBody(byte[].class));
        assertThat(problem.get("detail").asText()).contains("may or may not have been made");
    }
}

package io.hookpost.outbound;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookpost.HookpostProperties;
import io.hookpost.support.TestReceiver;
import io.hookpost.support.TestReceiver.Reply;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The token step against a real token endpoint on loopback: what counts as a token, and a failure shared. */
class OAuthTokensTest {
    private final DefaultCamelContext camel = new DefaultCamelContext();
    private TestReceiver tokenServer;
    private PoolingHttpClientConnectionManager connections;
    private OAuthTokens tokens;

    @BeforeEach
    void start() throws Exception {
        tokenServer = new TestReceiver();
        HookpostProperties properties = SsrfGuardTest.properties(true, List.of("127.0.0.0/8"));
        SsrfGuard guard = new SsrfGuard(properties);
        DeliveryHttpClient http = new DeliveryHttpClient();
        connections = http.deliveryConnections(properties, guard);
        tokens = new OAuthTokens(connections, http.deliveryHttpClientConfigurer(properties,
                http.deliveryDeadline(properties)), guard, new ObjectMapper(), "test");
    }

    @AfterEach
    void stop() throws Exception {
        tokens.close();
        connections.close();
        tokenServer.close();
        camel.close();
    }

    private Exchange attempt(String endpointId) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(DeliveryProperties.ENDPOINT_ID, endpointId);
        exchange.setProperty(DeliveryProperties.OAUTH, new OAuthClient(tokenServer.url("/token"), "client", "secret",
                null, null, null));
        return exchange;
    }

    private String authorized(String endpointId) throws Exception {
        Exchange exchange = attempt(endpointId);
        tokens.authorize(exchange);
        return exchange.getMessage().getHeader("Authorization", String.class);
    }

    private static Reply json(int status, String body) {
        return new Reply(status, Map.of("Content-Type", "application/json"), body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void attempts_waiting_for_a_token_request_that_fails_share_its_failure_and_a_later_one_asks_again()
            throws Exception {
        tokenServer.answer(request -> {
            TestReceiver.pause(1_000);
            return json(500, "{\"error\":\"temporarily_unavailable\"}");
        });
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> waiting = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                waiting.add(pool.submit((Callable<String>) () -> authorized("ep_1")));
            }
            for (Future<String> attempt : waiting) {
                assertThatThrownBy(attempt::get).cause().isInstanceOf(OAuthTokens.TokenRequestFailed.class)
                        .hasMessageContaining("answered HTTP 500").hasMessageContaining("temporarily_unavailable");
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(tokenServer.takeAll()).as("one request for the four attempts waiting").hasSize(1);

        tokenServer.answer(request -> json(200, "{\"access_token\":\"tok-after\",\"token_type\":\"bearer\"}"));
        assertThat(authorized("ep_1")).as("an attempt after the failure asks again").isEqualTo("Bearer tok-after");
        assertThat(tokenServer.takeAll()).hasSize(1);
    }

    @Test
    void only_a_bearer_token_that_fits_in_a_header_is_taken() throws Exception {
        tokenServer.answer(request -> json(200, "{\"access_token\":\"t\",\"token_type\":\"mac\"}"));
        assertThatThrownBy(() -> authorized("ep_2")).hasMessageContaining("of type 'mac'");
        tokenServer.answer(request -> json(200, "{\"access_token\":\"two words\"}"));
        assertThatThrownBy(() -> authorized("ep_2")).hasMessageContaining("cannot go in a header");
        tokenServer.answer(request -> json(200, "{\"access_token\":\"a\\r\\nX-Injected: 1\"}"));
        assertThatThrownBy(() -> authorized("ep_2")).hasMessageContaining("cannot go in a header");
        tokenServer.answer(request -> json(200, "{\"token_type\":\"Bearer\"}"));
        assertThatThrownBy(() -> authorized("ep_2")).hasMessageContaining("without an access_token");
        tokenServer.answer(request -> json(200, "<html>login</html>"));
        assertThatThrownBy(() -> authorized("ep_2")).hasMessageContaining("something other than JSON");
        tokenServer.answer(request -> new Reply(302, Map.of("Location", tokenServer.url("/elsewhere")), new byte[0]));
        assertThatThrownBy(() -> authorized("ep_2")).as("a redirect is not followed")
                .hasMessageContaining("answered HTTP 302");
        assertThat(tokenServer.takeAll()).extracting(TestReceiver.Received::path).containsOnly("/token");

        tokenServer.answer(request -> json(200, "{\"access_token\":\"tok-1\",\"expires_in\":\"3600\"}"));
        assertThat(authorized("ep_2")).as("expires_in as a string, token_type left out").isEqualTo("Bearer tok-1");
        assertThat(authorized("ep_2")).isEqualTo("Bearer tok-1");
        assertThat(tokenServer.takeAll()).as("reused").hasSize(1);
        assertThat(tokenServer.takeAll()).isEmpty();
    }

    @Test
    void a_401_to_a_token_drops_that_token_and_not_one_asked_for_since() throws Exception {
        java.util.concurrent.atomic.AtomicInteger issued = new java.util.concurrent.atomic.AtomicInteger();
        tokenServer.answer(request -> json(200, "{\"access_token\":\"tok-" + issued.incrementAndGet() + "\"}"));
        Exchange first = attempt("ep_4");
        tokens.authorize(first);
        Exchange second = attempt("ep_4");
        tokens.authorize(second);
        assertThat(second.getMessage().getHeader("Authorization")).isEqualTo("Bearer tok-1");

        second.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 401);
        tokens.answered(second);
        assertThat(authorized("ep_4")).as("refused: a new one").isEqualTo("Bearer tok-2");
        first.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 401);
        tokens.answered(first);
        assertThat(authorized("ep_4")).as("a late 401 to tok-1 leaves tok-2").isEqualTo("Bearer tok-2");
        Exchange answeredOk = attempt("ep_4");
        tokens.authorize(answeredOk);
        answeredOk.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        tokens.answered(answeredOk);
        assertThat(authorized("ep_4")).isEqualTo("Bearer tok-2");
        assertThat(tokenServer.takeAll()).hasSize(2);
    }

    @Test
    void a_token_endpoint_that_cannot_be_reached_fails_the_attempt_naming_it() throws Exception {
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(DeliveryProperties.ENDPOINT_ID, "ep_3");
        exchange.setProperty(DeliveryProperties.OAUTH, new OAuthClient("http://127.0.0.1:" + closed + "/token",
                "client", "secret", null, null, null));
        assertThatThrownBy(() -> tokens.authorize(exchange)).isInstanceOf(OAuthTokens.TokenRequestFailed.class)
                .hasMessageStartingWith("OAuth token request to http://127.0.0.1:" + closed + "/token failed: ")
                .hasMessageContaining("refused");
    }
}

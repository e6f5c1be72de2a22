package io.hookpost.ops;

import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookpost.support.HookpostTest;
import io.hookpost.support.OperatorClient;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.web.servlet.DelegatingFilterProxyRegistrationBean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 6, point 1: Hawtio at /actuator/hawtio and Jolokia at /actuator/jolokia, behind the operator
 * credentials; through Jolokia an operator sees every Hookpost route by its id, with Camel's statistics.
 */
class ConsoleTest extends HookpostTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String READ_ROUTE_IDS =
            "{\"type\":\"read\",\"mbean\":\"org.apache.camel:context=*,type=routes,name=*\",\"attribute\":\"RouteId\"}";

    @Autowired
    CamelContext camel;

    @Test
    void without_credentials_or_with_wrong_ones_the_console_and_jolokia_answer_401() {
        for (OperatorClient stranger : new OperatorClient[]{
                OperatorClient.anonymous(port),
                OperatorClient.basic(port, CONSOLE_USER, CONSOLE_PASSWORD + "x"),
                OperatorClient.basic(port, CONSOLE_USER + "x", CONSOLE_PASSWORD),
                OperatorClient.basic(port, ADMIN_TOKEN, ADMIN_TOKEN)}) {
            for (String path : new String[]{"/actuator/hawtio", "/actuator/hawtio/index.html", "/actuator/jolokia",
                    "/actuator/jolokia/version", "/actuator/hawtio/jolokia/version"}) {
                HttpResponse<String> response = stranger.get(path);
                assertThat(response.statusCode()).as(path).isEqualTo(401);
                assertThat(response.headers().firstValue("WWW-Authenticate")).as(path).hasValueSatisfying(
                        challenge -> assertThat(challenge).startsWith("Basic"));
                assertThat(response.body()).as(path).doesNotContain("org.apache.camel");
            }
            // a well-formed POST (with the CSRF token of its cookie) still needs the credentials
            assertThat(stranger.xsrfToken()).isNotBlank();
            HttpResponse<String> post = stranger.post("/actuator/jolokia", READ_ROUTE_IDS,
                    Map.of("X-XSRF-TOKEN", stranger.xsrfToken()));
            assertThat(post.statusCode()).isEqualTo(401);
        }
    }

    @Test
    void the_operator_logs_in_and_sees_every_route_through_jolokia_by_its_id() throws Exception {
        Set<String> routeIds = camel.getRoutes().stream().map(Route::getRouteId).collect(Collectors.toSet());
        assertThat(routeIds).contains("ingest-event", "fanout", "record-event", "deliver", "attempt",
                "count-failure", "delivery-failed", "retry-scheduler");

        OperatorClient operator = OperatorClient.basic(port, CONSOLE_USER, CONSOLE_PASSWORD);
        HttpResponse<String> console = operator.get("/actuator/hawtio/index.html");
        assertThat(console.statusCode()).isEqualTo(200);
        assertThat(console.body()).containsIgnoringCase("hawtio");

        // a plain GET read, as a script would do it
        HttpResponse<String> read = operator.get(
                "/actuator/jolokia/read/org.apache.camel:context=*,type=routes,name=*/RouteId");
        assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
        assertThat(routeIdsIn(read.body())).isEqualTo(routeIds);

        // a POST, as the Hawtio console sends it: through its own /jolokia path, with the CSRF token from the cookie
        assertThat(operator.xsrfToken()).as("the XSRF-TOKEN cookie from the first answer").isNotBlank();
        for (String path : new String[]{"/actuator/hawtio/jolokia", "/actuator/jolokia"}) {
            // read from the cookie before every request, as the console does (the token may be renewed)
            HttpResponse<String> posted = operator.post(path, READ_ROUTE_IDS, Map.of("X-XSRF-TOKEN", operator.xsrfToken()));
            assertThat(posted.statusCode()).as(path + ": " + posted.body()).isEqualTo(200);
            assertThat(routeIdsIn(posted.body())).as(path).isEqualTo(routeIds);
        }
    }

    @Test
    void a_post_without_the_csrf_token_is_refused_even_with_credentials() {
        OperatorClient operator = OperatorClient.basic(port, CONSOLE_USER, CONSOLE_PASSWORD);
        operator.get("/actuator/jolokia/version");
        assertThat(operator.xsrfToken()).isNotBlank();
        for (String path : new String[]{"/actuator/jolokia", "/actuator/hawtio/jolokia"}) {
            assertThat(operator.post(path, READ_ROUTE_IDS, Map.of()).statusCode()).as(path).isEqualTo(403);
            assertThat(operator.post(path, READ_ROUTE_IDS, Map.of("X-XSRF-TOKEN", "forged")).statusCode()).as(path).isEqualTo(403);
        }
    }

    @Test
    void camel_statistics_have_per_step_counters() throws Exception {
        OperatorClient operator = OperatorClient.basic(port, CONSOLE_USER, CONSOLE_PASSWORD);
        JsonNode level = value(operator.get(
                "/actuator/jolokia/read/org.apache.camel:context=hookpost,type=context,name=%22hookpost%22/ManagementStatisticsLevel"));
        assertThat(level.asText()).isEqualTo("Default");

        publish(Map.of("type", "host.offline", "data", Map.of("n", 1)));
        String fanout = "/actuator/jolokia/read/org.apache.camel:context=hookpost,type=routes,name=%22fanout%22/"
                + "ExchangesTotal,ExchangesInflight,LastProcessingTime";
        eventually(() -> {
            try {
                JsonNode stats = value(operator.get(fanout));
                return stats.has("ExchangesInflight") && stats.get("ExchangesTotal").asLong() > 0;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "the fan-out route's counters show the event");
        JsonNode step = value(operator.get(
                "/actuator/jolokia/read/org.apache.camel:context=hookpost,type=processors,name=%22post-to-endpoint%22/ExchangesTotal,MeanProcessingTime"));
        assertThat(step.toString()).contains("ExchangesTotal", "MeanProcessingTime");
    }

    @Test
    void each_route_mbean_answers_for_its_own_route_though_descriptions_are_shared() throws Exception {
        // CamelMBeanInfos builds one description per MBean class: the routes' MBeans share one, and must still read and
        // act on their own route only
        assertThat(camel.getCamelContextExtension().getManagementMBeanAssembler())
                .isInstanceOf(CamelMBeanInfos.Assembler.class);
        OperatorClient operator = OperatorClient.basic(port, CONSOLE_USER, CONSOLE_PASSWORD);
        publish(Map.of("type", "host.offline", "data", Map.of("n", 2)));
        String route = "/actuator/jolokia/read/org.apache.camel:context=hookpost,type=routes,name=%22";
        eventually(() -> {
            try {
                return value(operator.get(route + "fanout%22/ExchangesTotal")).asLong() > 0;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "the fan-out route counted the event");
        long ingested = value(operator.get(route + "ingest-event%22/ExchangesTotal")).asLong();
        assertThat(ingested).isPositive();

        String reset = "{\"type\":\"exec\",\"mbean\":\"org.apache.camel:context=hookpost,type=routes,name=\\\"fanout\\\"\","
                + "\"operation\":\"reset()\"}";
        HttpResponse<String> done = operator.post("/actuator/jolokia", reset, Map.of("X-XSRF-TOKEN", operator.xsrfToken()));
        value(done);

        assertThat(value(operator.get(route + "fanout%22/ExchangesTotal")).asLong()).isZero();
        assertThat(value(operator.get(route + "ingest-event%22/ExchangesTotal")).asLong()).isEqualTo(ingested);
        assertThat(value(operator.get(route + "fanout%22/RouteId")).asText()).isEqualTo("fanout");
        assertThat(value(operator.get(route + "ingest-event%22/RouteId")).asText()).isEqualTo("ingest-event");
    }

    @Test
    void the_api_inbound_and_health_are_not_behind_the_console_login() {
        HttpResponse<String> health = OperatorClient.anonymous(port).get("/actuator/health");
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        assertThat(operator.get("/api/v1/accounts/" + account + "/endpoints").status()).isEqualTo(200);
        // the API keeps its own answers: no key is its 401 problem document, not a basic-auth challenge
        HttpResponse<String> noKey = OperatorClient.anonymous(port).get("/api/v1/accounts/" + account + "/endpoints");
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(noKey.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(noKey.headers().firstValue("WWW-Authenticate").orElse("")).doesNotStartWith("Basic");
        assertThat(noKey.headers().firstValue("Set-Cookie")).isEmpty();
    }

    @Test
    void spring_security_filters_the_operator_pages_only(
            @Autowired @Qualifier(OperatorSecurity.SECURITY_FILTER_REGISTRATION) DelegatingFilterProxyRegistrationBean security) {
        assertThat(security.getUrlPatterns()).containsExactly("/actuator/*");
    }

    private static Set<String> routeIdsIn(String jolokiaAnswer) throws Exception {
        Set<String> ids = new HashSet<>();
        value(jolokiaAnswer).forEach(attributes -> ids.add(attributes.get("RouteId").asText()));
        return ids;
    }

    private static JsonNode value(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return value(response.body());
    }

    private static JsonNode value(String jolokiaAnswer) throws Exception {
        JsonNode answer = JSON.readTree(jolokiaAnswer);
        assertThat(answer.get("status").asInt()).as(jolokiaAnswer).isEqualTo(200);
        return answer.get("value");
    }
}

package io.hookpost.support;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.apache.camel.test.spring.junit5.DisableJmx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Base of the tests that run the whole application: the real embedded Artemis broker and H2 file database
 * (under target/), the real web server on a random port, and loopback receivers allowed as destinations.
 * Every test class with the same settings shares one running application; tests isolate themselves by
 * creating their own account.
 *
 * <p>Camel JMX is on ({@code @DisableJmx(false)}; {@code @CamelSpringBootTest} turns it off otherwise), as in
 * production: Hawtio and Jolokia read the routes from it. The operator console is on with {@link #CONSOLE_USER}
 * / {@link #CONSOLE_PASSWORD}. Metrics export is on ({@code @AutoConfigureObservability}; Spring Boot tests turn
 * it off otherwise), so /actuator/prometheus answers as in production.
 */
@CamelSpringBootTest
@DisableJmx(false)
@AutoConfigureObservability(tracing = false)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "hookpost.security.admin-token=" + HookpostTest.ADMIN_TOKEN,
        "hookpost.ops.console-user=" + HookpostTest.CONSOLE_USER,
        "hookpost.ops.console-password=" + HookpostTest.CONSOLE_PASSWORD,
        "hookpost.delivery.allow-http=true",
        "hookpost.delivery.allowed-cidrs=127.0.0.0/8",
        "hookpost.delivery.timeout=3s",
})
public abstract class HookpostTest {
    public static final String ADMIN_TOKEN = "test-operator-token-0123456789abcdef";
    public static final String CONSOLE_USER = "ops-tester";
    public static final String CONSOLE_PASSWORD = "test-console-password-0123456789";
    protected static final Duration WAIT = Duration.ofSeconds(20);
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    @DynamicPropertySource
    static void dataDirectory(DynamicPropertyRegistry registry) {
        registry.add("hookpost.data-dir", () -> "./target/test-data/" + RUN);
    }

    @LocalServerPort
    protected int port;
    @Autowired
    protected JdbcTemplate db;

    protected Api operator;
    protected TestReceiver receiver;
    protected String account;

    @BeforeEach
    void startReceiverAndAccount() throws Exception {
        operator = new Api(port, ADMIN_TOKEN);
        receiver = new TestReceiver();
        account = "acct-" + UUID.randomUUID().toString().substring(0, 12);
        Api.Response created = operator.post("/api/v1/accounts", Map.of("name", "Test " + account, "id", account));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    /** Creates an endpoint on this test's account; returns the API's answer. */
    protected JsonNode createEndpoint(Map<String, Object> request) {
        Api.Response response = operator.post("/api/v1/accounts/" + account + "/endpoints", request);
        assertThat(response.status()).as(response.text()).isEqualTo(201);
        return response.json();
    }

    /** Publishes an event (a map, or raw JSON text to control the exact bytes); returns its id. */
    protected String publish(Object event) {
        Api.Response response = operator.post("/api/v1/accounts/" + account + "/events", event);
        assertThat(response.status()).as(response.text()).isEqualTo(202);
        return response.json().get("id").asText();
    }

    protected List<Map<String, Object>> deliveriesOf(String eventId) {
        return db.queryForList("SELECT * FROM deliveries WHERE account_id = ? AND event_id = ? ORDER BY id",
                account, eventId);
    }

    protected int count(String sql, Object... args) {
        Integer n = db.queryForObject(sql, Integer.class, args);
        return n == null ? 0 : n;
    }

    /** The answer is an application/problem+json document with this status and a detail saying this. */
    public static void assertProblem(Api.Response response, int status, String detailPart) {
        assertThat(response.status()).as(response.text()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().get("status").asInt()).isEqualTo(status);
        assertThat(response.json().get("detail").asText()).containsIgnoringCase(detailPart);
    }

    /** Polls until the condition holds: the pipeline is asynchronous after the 202. */
    protected static void eventually(Supplier<Boolean> condition, String what) throws InterruptedException {
        eventually(condition, what, WAIT);
    }

    /** The same with a wait of the caller's, e.g. for a Hookpost in a JVM of its own. */
    public static void eventually(Supplier<Boolean> condition, String what, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (Boolean.TRUE.equals(condition.get())) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // e.g. the row is not there yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out waiting until " + what);
    }
}

package io.hookpost;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.hookpost.support.Api;
import io.hookpost.support.HookpostProcess;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tomcat listens before Camel's routes have started and after they have stopped. A client polling the API through a
 * start and a stop of a real Hookpost process sees a refused connection, a 503 problem document with Retry-After, or
 * the routes' own answer (here 401: no API key), and never a 404 for a path that exists. A health probe meanwhile
 * gets the state without a warning logged for each of Camel's checks not yet up.
 */
class NotReadyAnswersTest {
    private static final String EVENTS = "/api/v1/accounts/acme/events";
    private static final Map<String, Object> EVENT = Map.of("type", "host.offline", "data", Map.of());

    @AutoClose
    private HookpostProcess hookpost;

    @Test
    void through_a_start_and_a_stop_the_api_answers_503_problems_or_its_own_answers_never_404() throws Exception {
        hookpost = HookpostProcess.fresh("not-ready-tests", List.of());
        Api anonymous = new Api(hookpost.port(), null);
        hookpost.launch();
        List<Api.Response> starting = new ArrayList<>();
        int healthNotUp = 0;
        Api.Response answer = null;
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (System.nanoTime() < deadline && hookpost.isAlive()) {
            Api.Response health = ifListening(() -> anonymous.get("/actuator/health"));
            if (health != null && health.status() != 200) {
                healthNotUp++;
            }
            answer = ifListening(() -> anonymous.post(EVENTS, EVENT));
            if (answer != null && answer.status() == 401) {
                break;
            }
            if (answer != null) {
                starting.add(answer);
            }
            Thread.sleep(10);
        }
        assertThat(answer).as("an answer from the ingest route within 90 s").isNotNull();
        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.contentType()).isEqualTo("application/problem+json");
        starting.forEach(NotReadyAnswersTest::assertNotReadyProblem);
        assertThat(healthNotUp).as("health probes answered while starting").isPositive();
        assertThat(hookpost.output().lines().filter(line -> line.contains("Probe in group")))
                .as("a warning per Camel check not up, for each probe while starting").isEmpty();

        hookpost.terminate();
        List<Api.Response> stopping = new ArrayList<>();
        while (hookpost.isAlive()) {
            Api.Response during = ifListening(() -> anonymous.post(EVENTS, EVENT));
            if (during != null && during.status() != 401) {
                stopping.add(during);
            }
            Thread.sleep(5);
        }
        stopping.forEach(NotReadyAnswersTest::assertNotReadyProblem);
        System.out.printf("while starting: %d answers of 503; while stopping: %d%n", starting.size(), stopping.size());
    }

    private static void assertNotReadyProblem(Api.Response response) {
        assertThat(response.status()).as(response.text()).isEqualTo(503);
        assertThat(response.contentType()).isEqualTo("application/problem+json");
        assertThat(response.headers().firstValue("Retry-After")).hasValue("2");
        assertThat(response.json().path("title").asText()).isEqualTo("Service Unavailable");
    }

    /** Null while nothing listens on the port. */
    private static Api.Response ifListening(Supplier<Api.Response> request) {
        try {
            return request.get();
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof IOException) {
                return null;
            }
            throw e;
        }
    }
}

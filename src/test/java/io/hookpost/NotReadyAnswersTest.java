package io.hookpost;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.hookpost.support.Api;
import io.hookpost.support.HookpostProcess;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tomcat listens before Camel's routes have started and after they have stopped. A client polling the API through a
 * start and a stop of a real Hookpost process sees a refused connection, a 503 problem document with Retry-After, or
 * the routes' own answer (here 401: no API key), and never a 404 for a path that exists.
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
        Api.Response answer = null;
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (System.nanoTime() < deadline && hookpost.isAlive()) {
            answer = postIfListening(anonymous);
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

        hookpost.terminate();
        List<Api.Response> stopping = new ArrayList<>();
        while (hookpost.isAlive()) {
            Api.Response during = postIfListening(anonymous);
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
    private static Api.Response postIfListening(Api api) {
        try {
            return api.post(EVENTS, EVENT);
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof IOException) {
                return null;
            }
            throw e;
        }
    }
}

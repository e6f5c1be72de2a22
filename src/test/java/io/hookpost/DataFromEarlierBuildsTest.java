package io.hookpost;

import java.io.File;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.hookpost.support.Api;
import io.hookpost.support.HookpostProcess;
import io.hookpost.support.HookpostTest;
import io.hookpost.support.TestReceiver;
import org.junit.jupiter.api.Test;

import static io.hookpost.support.HookpostTest.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A data directory written by an earlier build opens on this one with everything in it. Builds before H2 2.5.252
 * wrote the embedded database with H2 2.3.232 (Spring Boot 3.5's version): Hookpost runs as a separate JVM with that
 * H2 on its class path, is stopped gracefully (H2 compacts its file as it closes), and starts again on the same data
 * with this build's H2.
 */
class DataFromEarlierBuildsTest {
    private static final Path PREVIOUS_H2 = Path.of("target", "previous-h2", "h2-2.3.232.jar");
    private static final Pattern H2_JAR = Pattern.compile(".*[/\\\\]com[/\\\\]h2database[/\\\\]h2[/\\\\].*\\.jar");
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int EVENTS = 60;

    @Test
    void a_database_written_with_h2_2_3_opens_with_its_history_and_its_held_deliveries_are_sent() throws Exception {
        assertThat(PREVIOUS_H2).as("copied there by the build (mvn's generate-test-resources phase)").exists();
        try (TestReceiver receiver = new TestReceiver();
             HookpostProcess hookpost = HookpostProcess.fresh("upgrade-tests", List.of())) {
            String current = hookpost.classpath();
            hookpost.onClasspath(withPreviousH2(current)).start();
            Api api = new Api(hookpost.port(), HookpostTest.ADMIN_TOKEN);
            assertThat(api.post("/api/v1/accounts", Map.of("id", "acme", "name", "Acme")).status()).isEqualTo(201);
            endpoint(api, receiver.url("/live"), true);
            String paused = endpoint(api, receiver.url("/paused"), false);
            for (int i = 0; i < EVENTS; i++) {
                Api.Response accepted = api.post("/api/v1/accounts/acme/events",
                        Map.of("id", "evt-" + i, "type", "host.offline", "data", Map.of("n", i)));
                assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
            }
            Map<String, Set<String>> seen = new ConcurrentHashMap<>();
            awaitWebhookIds(receiver, seen, "/live", EVENTS);
            eventually(() -> count(api, "held") == EVENTS, "the paused endpoint's deliveries are held", WAIT);
            hookpost.stop();

            hookpost.onClasspath(current).start();
            assertThat(count(api, "delivered")).as("deliveries sent before the upgrade").isEqualTo(EVENTS);
            assertThat(count(api, "held")).as("deliveries held before the upgrade").isEqualTo(EVENTS);
            assertThat(api.post("/api/v1/accounts/acme/endpoints/" + paused + "/enable", Map.of()).status())
                    .isEqualTo(200);
            Api.Response recovered = api.post("/api/v1/accounts/acme/endpoints/" + paused + "/recover",
                    Map.of("since", "2020-01-01T00:00:00Z"));
            assertThat(recovered.json().get("recovered").asInt()).as(recovered.text()).isEqualTo(EVENTS);
            awaitWebhookIds(receiver, seen, "/paused", EVENTS);
            hookpost.stop();

            try (Connection db = hookpost.database(); Statement s = db.createStatement()) {
                ResultSet version = s.executeQuery("SELECT H2VERSION()");
                version.next();
                assertThat(version.getString(1)).as("the H2 this build opens the file with").doesNotStartWith("2.3.");
                Map<String, Integer> statuses = new HashMap<>();
                ResultSet rows = s.executeQuery("SELECT status, COUNT(*) FROM deliveries GROUP BY status");
                while (rows.next()) {
                    statuses.put(rows.getString(1), rows.getInt(2));
                }
                assertThat(statuses).isEqualTo(Map.of("delivered", 2 * EVENTS));
            }
        }
    }

    /** The test's class path with its H2 jar swapped for the one earlier builds ran with. */
    private static String withPreviousH2(String classpath) {
        List<String> entries = Arrays.asList(classpath.split(File.pathSeparator));
        assertThat(entries).as("the class path's H2 jar").filteredOn(e -> H2_JAR.matcher(e).matches()).hasSize(1);
        return entries.stream().map(e -> H2_JAR.matcher(e).matches() ? PREVIOUS_H2.toAbsolutePath().toString() : e)
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static String endpoint(Api api, String url, boolean active) {
        Api.Response created = api.post("/api/v1/accounts/acme/endpoints",
                Map.of("url", url, "active", active, "retrySchedule", List.of("1s")));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return created.json().get("id").asText();
    }

    private static int count(Api api, String status) {
        Api.Response page = api.get("/api/v1/accounts/acme/deliveries?limit=100&status=" + status);
        assertThat(page.status()).as(page.text()).isEqualTo(200);
        return page.json().get("data").size();
    }

    private static void awaitWebhookIds(TestReceiver receiver, Map<String, Set<String>> seen, String path, int expected)
            throws InterruptedException {
        eventually(() -> {
            receiver.takeAll().forEach(r -> seen.computeIfAbsent(r.path(), p -> ConcurrentHashMap.newKeySet())
                    .add(r.header("webhook-id")));
            return seen.getOrDefault(path, Set.of()).size() >= expected;
        }, expected + " distinct webhook-ids on " + path, WAIT);
        assertThat(seen.get(path)).hasSize(expected);
    }
}

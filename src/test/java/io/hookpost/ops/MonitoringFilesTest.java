package io.hookpost.ops;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookpost.support.Api;
import io.hookpost.support.HookpostProcess;
import io.hookpost.support.HookpostTest;
import io.hookpost.support.OperatorClient;
import io.hookpost.support.Prometheus;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Prometheus alerting rules and the Grafana dashboard shipped in config/monitoring: Prometheus's own promtool checks
 * and unit-tests the rules and parses the dashboard's queries, and every series they read is one a running Hookpost
 * exports, with the labels and label values they name.
 */
class MonitoringFilesTest extends HookpostTest {
    @org.springframework.beans.factory.annotation.Autowired
    org.apache.camel.ProducerTemplate producer;
    @org.springframework.beans.factory.annotation.Autowired
    org.apache.camel.ConsumerTemplate consumer;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path MONITORING = Path.of("config", "monitoring");
    /** A series selector of Hookpost's own metrics or of the JVM, process and web server ones Micrometer adds. */
    private static final Pattern SELECTOR =
            Pattern.compile("\\b((?:hookpost|jvm|process|http_server)_[a-zA-Z0-9_]+)(?:\\{([^}]*)})?");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"([^\"]*)\"");
    private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without)\\s*\\(([^)]*)\\)");
    /** Labels Prometheus adds to every series it scrapes, or that other setups add (Kubernetes' pod). */
    private static final Set<String> TARGET_LABELS = Set.of("instance", "job", "pod", "le");

    @Test
    void promtool_finds_the_rules_and_the_example_configuration_valid() throws Exception {
        Prometheus.Run run = Prometheus.find().promtool(MONITORING, new byte[0], "check", "config",
                "prometheus.yaml");
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("SUCCESS: " + alerts().size() + " rules found");
    }

    @Test
    void every_alert_fires_in_the_unit_tests_as_they_say() throws Exception {
        Prometheus.Run run = Prometheus.find().promtool(MONITORING, new byte[0], "test", "rules",
                "hookpost-alerts.test.yaml");
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("SUCCESS");

        Set<String> firedInTests = new LinkedHashSet<>();
        for (Map<String, Object> test : list(load("hookpost-alerts.test.yaml").get("tests"))) {
            for (Map<String, Object> check : list(test.get("alert_rule_test"))) {
                if (!list(check.get("exp_alerts")).isEmpty()) {
                    firedInTests.add((String) check.get("alertname"));
                }
            }
        }
        assertThat(firedInTests).as("alerts a unit test sees firing")
                .containsExactlyInAnyOrderElementsOf(alerts().stream().map(a -> (String) a.get("alert")).toList());
        for (Map<String, Object> alert : alerts()) {
            assertThat(map(alert.get("labels"))).as(alert.get("alert") + "'s severity")
                    .containsKey("severity");
            assertThat(map(alert.get("annotations"))).as(alert.get("alert") + "'s annotations")
                    .containsKeys("summary", "description");
        }
    }

    @Test
    void every_series_the_rules_read_is_exported_with_the_labels_and_values_they_name() throws Exception {
        Scrape scrape = scrapeWithCallbacksCounted();

        int checked = 0;
        for (Map<String, Object> alert : alerts()) {
            checked += assertReadsExportedSeries((String) alert.get("alert"), (String) alert.get("expr"), scrape);
        }
        assertThat(checked).as("series read by the rules").isGreaterThanOrEqualTo(alerts().size());
    }

    @Test
    void the_dashboards_queries_are_promql_that_read_series_hookpost_exports() throws Exception {
        JsonNode dashboard = JSON.readTree(MONITORING.resolve("hookpost-dashboard.json").toFile());
        Map<String, String> queries = new LinkedHashMap<>();
        Set<Integer> ids = new LinkedHashSet<>();
        for (JsonNode panel : dashboard.get("panels")) {
            assertThat(ids.add(panel.get("id").asInt())).as("panel ids are unique").isTrue();
            for (JsonNode target : panel.path("targets")) {
                assertThat(target.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
                queries.put(panel.get("title").asText() + " " + target.get("refId").asText(),
                        // Grafana's variables, as Grafana fills them in
                        target.get("expr").asText().replace("$__rate_interval", "1m").replace("$job", "hookpost"));
            }
        }
        assertThat(queries).hasSizeGreaterThanOrEqualTo(10);

        // promtool parses PromQL in rule files only: each query becomes a recording rule
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        int n = 0;
        for (String query : queries.values()) {
            rules.append("      - record: dashboard:query_").append(n++).append("\n        expr: ")
                    .append(JSON.writeValueAsString(query)).append('\n');
        }
        Path file = Files.createTempFile("hookpost-dashboard", ".rules.yaml");
        try {
            Files.writeString(file, rules);
            Prometheus.Run run = Prometheus.find().promtool(MONITORING, new byte[0], "check", "rules", file.toString());
            assertThat(run.exitCode()).as(run.output()).isZero();
        } finally {
            Files.delete(file);
        }

        Scrape scrape = scrapeWithCallbacksCounted();
        int checked = 0;
        for (Map.Entry<String, String> query : queries.entrySet()) {
            checked += assertReadsExportedSeries("panel " + query.getKey(), query.getValue(), scrape);
        }
        assertThat(checked).isGreaterThanOrEqualTo(queries.size());
    }

    /** Every series the expression selects is in the scrape, with the labels it matches and groups by. */
    private static int assertReadsExportedSeries(String name, String expr, Scrape scrape) {
        int checked = 0;
        Set<String> metrics = new LinkedHashSet<>();
        Matcher selector = SELECTOR.matcher(expr);
        while (selector.find()) {
            String metric = selector.group(1);
            metrics.add(metric);
            List<Scrape.Sample> samples = samples(scrape, metric);
            assertThat(samples).as(name + " reads " + metric + ", which Hookpost exports").isNotEmpty();
            checked++;
            Matcher matcher = MATCHER.matcher(selector.group(2) == null ? "" : selector.group(2));
            while (matcher.find()) {
                String label = matcher.group(1);
                String operator = matcher.group(2);
                if (TARGET_LABELS.contains(label)) {
                    continue;
                }
                assertThat(samples).as(name + ": " + metric + " has a label " + label)
                        .anyMatch(s -> s.labels().containsKey(label));
                if (operator.equals("=") || operator.equals("!=")) {
                    assertThat(samples).as(name + ": " + metric + " has " + label + "=\"" + matcher.group(3) + "\"")
                            .anyMatch(s -> matcher.group(3).equals(s.labels().get(label)));
                }
            }
        }
        Matcher grouping = GROUPING.matcher(expr);
        while (grouping.find()) {
            for (String label : grouping.group(1).split(",")) {
                String trimmed = label.trim();
                if (trimmed.isEmpty() || TARGET_LABELS.contains(trimmed)) {
                    continue;
                }
                assertThat(metrics).as(name + " groups by " + trimmed + ", a label of what it reads")
                        .anyMatch(metric -> samples(scrape, metric).stream()
                                .anyMatch(s -> s.labels().containsKey(trimmed)));
            }
        }
        return checked;
    }

    @Test
    void a_prometheus_with_the_example_configuration_scrapes_hookpost_evaluates_every_rule_and_fires_on_a_parked_event()
            throws Exception {
        Prometheus prometheus = Prometheus.find();
        Path directory = Files.createTempDirectory("hookpost-prometheus");
        // the example configuration, pointed at this Hookpost, its console password in a file, every second
        Map<String, Object> config = load("prometheus.yaml");
        map(config.get("global")).put("scrape_interval", "1s");
        map(config.get("global")).put("evaluation_interval", "1s");
        config.put("rule_files", List.of(MONITORING.resolve("hookpost-alerts.yaml").toAbsolutePath().toString()));
        Map<String, Object> job = list(config.get("scrape_configs")).get(0);
        map(job.get("basic_auth")).put("username", CONSOLE_USER);
        Path password = Files.writeString(directory.resolve("console-password"), CONSOLE_PASSWORD);
        map(job.get("basic_auth")).put("password_file", password.toString());
        list(job.get("static_configs")).get(0).put("targets", List.of("127.0.0.1:" + port));
        Path file = Files.writeString(directory.resolve("prometheus.yaml"), new Yaml().dump(config));

        try (Prometheus.Server server = prometheus.start(file, directory, HookpostProcess.freePort())) {
            eventually(() -> {
                JsonNode targets = server.api("/api/v1/targets").get("activeTargets");
                return targets.size() == 1 && "up".equals(targets.get(0).get("health").asText());
            }, "Prometheus scraping Hookpost (job " + job.get("job_name") + ")");
            // one scrape before the parked event and one after it: increase() over them
            Thread.sleep(2_000);
            String notAnEvent = "not an event, from " + account;
            producer.sendBody("jms:queue:hookpost.events", notAnEvent.getBytes(StandardCharsets.UTF_8));

            eventually(() -> {
                for (JsonNode alert : server.api("/api/v1/alerts").get("alerts")) {
                    if ("HookpostInvalidEventsParked".equals(alert.at("/labels/alertname").asText())
                            && "firing".equals(alert.get("state").asText())) {
                        return true;
                    }
                }
                return false;
            }, "HookpostInvalidEventsParked firing");
            takeParked(notAnEvent);
            List<String> evaluated = new java.util.ArrayList<>();
            for (JsonNode group : server.api("/api/v1/rules").get("groups")) {
                for (JsonNode rule : group.get("rules")) {
                    assertThat(rule.get("health").asText()).as(rule.get("name") + ": " + rule.path("lastError"))
                            .isEqualTo("ok");
                    evaluated.add(rule.get("name").asText());
                }
            }
            assertThat(evaluated).hasSize(alerts().size());
            JsonNode up = server.api("/api/v1/query?query=up%7Bjob%3D%22hookpost%22%7D").get("result");
            assertThat(up.get(0).at("/value/1").asText()).as("HookpostDown reads this").isEqualTo("1");
        } finally {
            org.springframework.util.FileSystemUtils.deleteRecursively(directory);
        }
    }

    /** Takes this test's message off the invalid queue, where the tests after it look for theirs. */
    private void takeParked(String body) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            String parked = consumer.receiveBody("jms:queue:hookpost.events.invalid", 500, String.class);
            if (body.equals(parked)) {
                return;
            }
        }
        throw new AssertionError("'" + body + "' was not parked on hookpost.events.invalid");
    }

    @Test
    void hookposts_own_metrics_pass_promtools_lint() throws Exception {
        String ours = OperatorClient.basic(port, CONSOLE_USER, CONSOLE_PASSWORD).get("/actuator/prometheus").body()
                .lines()
                .filter(line -> line.startsWith("hookpost_") || line.startsWith("# HELP hookpost_")
                        || line.startsWith("# TYPE hookpost_"))
                .collect(Collectors.joining("\n", "", "\n"));
        assertThat(ours).contains("# TYPE hookpost_deliveries_total counter");
        Prometheus.Run run = Prometheus.find().promtool(MONITORING, ours.getBytes(StandardCharsets.UTF_8), "check",
                "metrics");
        assertThat(run.output()).as("promtool's complaints").isBlank();
        assertThat(run.exitCode()).isZero();
    }

    /** A scrape after a verified and a refused callback: their counters are exported from the first one on. */
    private Scrape scrapeWithCallbacksCounted() throws IOException, InterruptedException {
        Api.Response connection = operator.post("/api/v1/accounts/" + account + "/providers",
                Map.of("provider", "postmark", "credentials", Map.of("username", "pm", "password", "pm-secret-1")));
        assertThat(connection.status()).as(connection.text()).isEqualTo(201);
        String path = connection.json().get("inboundPath").asText();
        assertThat(postmark(path, "pm-secret-1").statusCode()).isEqualTo(200);
        assertThat(postmark(path, "not-the-password").statusCode()).isEqualTo(401);
        return scrape();
    }

    private HttpResponse<String> postmark(String path, String password) throws IOException, InterruptedException {
        String basic = Base64.getEncoder().encodeToString(("pm:" + password).getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json")
                .header("Authorization", "Basic " + basic)
                .POST(HttpRequest.BodyPublishers.ofString("{\"RecordType\":\"Delivery\",\"MessageID\":\"pm-"
                        + password + "\",\"Recipient\":\"to@example.com\",\"DeliveredAt\":\"2026-12-07T10:00:00Z\"}"))
                .build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** A metric's samples; a histogram's are under its _bucket, _count and _sum names. */
    private static List<Scrape.Sample> samples(Scrape scrape, String metric) {
        return scrape.samples().stream().filter(s -> s.name().equals(metric)).toList();
    }

    private Scrape scrape() {
        HttpResponse<String> response = OperatorClient.basic(port, CONSOLE_USER, CONSOLE_PASSWORD)
                .get("/actuator/prometheus");
        assertThat(response.statusCode()).isEqualTo(200);
        return Scrape.parse(response.body());
    }

    private static List<Map<String, Object>> alerts() throws IOException {
        return list(list(load("hookpost-alerts.yaml").get("groups")).get(0).get("rules"));
    }

    private static Map<String, Object> load(String file) throws IOException {
        return new Yaml().load(Files.readString(MONITORING.resolve(file)));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value == null ? Map.of() : (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object value) {
        return value == null ? List.of() : (List<Map<String, Object>>) value;
    }
}

package io.hookpost.outbound;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.hookpost.support.Api;
import io.hookpost.support.HookpostTest;
import io.hookpost.support.TestReceiver;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** An endpoint's payload filter (JSONPath on the envelope): only events it selects get a delivery. */
class PayloadFilterTest extends HookpostTest {
    private static final String HIGH_OR_CRITICAL = "$[?(@.data.severity in ['high', 'critical'])]";

    private void waitForEvents(int n) throws InterruptedException {
        eventually(() -> count("SELECT COUNT(*) FROM events WHERE account_id = ?", account) == n,
                n + " events are recorded");
    }

    private List<TestReceiver.Received> receive(int n) throws InterruptedException {
        List<TestReceiver.Received> posts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            posts.add(receiver.next(WAIT));
        }
        posts.addAll(receiver.drain(Duration.ofMillis(500)));
        return posts;
    }

    @Test
    void a_detectify_style_severity_filter_receives_high_and_critical_findings_and_not_low_ones() throws Exception {
        var endpoint = createEndpoint(Map.of("url", receiver.url("/detectify"), "eventTypes", List.of("finding.created"),
                "filter", HIGH_OR_CRITICAL));
        assertThat(endpoint.get("filter").asText()).isEqualTo(HIGH_OR_CRITICAL);
        assertThat(operator.get("/api/v1/accounts/" + account + "/endpoints/" + endpoint.get("id").asText())
                .json().get("filter").asText()).isEqualTo(HIGH_OR_CRITICAL);

        String low = publish(Map.of("type", "finding.created", "data", Map.of("severity", "low", "title", "Banner")));
        String high = publish(Map.of("type", "finding.created", "data", Map.of("severity", "high", "title", "SQLi")));
        String critical = publish(Map.of("type", "finding.created", "data", Map.of("severity", "critical", "title", "RCE")));
        waitForEvents(3);

        assertThat(receive(2)).extracting(r -> r.header("webhook-id"))
                .containsExactlyInAnyOrder((String) deliveriesOf(high).get(0).get("id"),
                        (String) deliveriesOf(critical).get(0).get("id"));
        assertThat(deliveriesOf(low)).isEmpty();
    }

    @Test
    void the_same_filter_on_data_selects_the_same_events() throws Exception {
        createEndpoint(Map.of("url", receiver.url("/on-data"), "filter", "$.data[?(@.severity in ['high', 'critical'])]"));
        String low = publish(Map.of("type", "finding.created", "data", Map.of("severity", "low")));
        String critical = publish(Map.of("type", "finding.created", "data", Map.of("severity", "critical")));
        waitForEvents(2);

        assertThat(receive(1)).extracting(TestReceiver.Received::bodyText).singleElement()
                .asString().contains("\"severity\":\"critical\"");
        assertThat(deliveriesOf(low)).isEmpty();
        assertThat(deliveriesOf(critical)).hasSize(1);
    }

    @Test
    void exists_and_equality_filters_select_only_their_events() throws Exception {
        String exists = createEndpoint(Map.of("url", receiver.url("/has-asset"), "filter", "$.data.assetId"))
                .get("id").asText();
        String equals = createEndpoint(Map.of("url", receiver.url("/open"), "filter", "$[?(@.data.status == 'open')]"))
                .get("id").asText();
        String unfiltered = createEndpoint(Map.of("url", receiver.url("/all"))).get("id").asText();

        String withAsset = publish(Map.of("type", "asset.changed", "data", Map.of("assetId", "a-1", "status", "closed")));
        String open = publish(Map.of("type", "asset.changed", "data", Map.of("status", "open")));
        String neither = publish(Map.of("type", "asset.changed", "data", Map.of("status", "Open", "asset", "a-2")));
        waitForEvents(3);

        assertThat(deliveriesOf(withAsset)).extracting(d -> d.get("endpoint_id")).containsExactlyInAnyOrder(exists, unfiltered);
        assertThat(deliveriesOf(open)).extracting(d -> d.get("endpoint_id")).containsExactlyInAnyOrder(equals, unfiltered);
        assertThat(deliveriesOf(neither)).extracting(d -> d.get("endpoint_id")).containsExactly(unfiltered);
        assertThat(receive(5)).extracting(TestReceiver.Received::path)
                .containsExactlyInAnyOrder("/has-asset", "/open", "/all", "/all", "/all");
    }

    @Test
    void numeric_filters_compare_numbers_exactly_however_large_or_long() throws Exception {
        String above = createEndpoint(Map.of("url", receiver.url("/above"), "filter", "$[?(@.data.n > 5)]"))
                .get("id").asText();
        String below = createEndpoint(Map.of("url", receiver.url("/below"), "filter", "$[?(@.data.n < 5)]"))
                .get("id").asText();
        // beyond a double's range, and closer to 5 than a double tells apart: accepted (numbers kept exact), and
        // compared as written, not missed by every filtered endpoint
        String huge = publish("{\"type\":\"reading.taken\",\"data\":{\"n\":1e400}}");
        String hugeNegative = publish("{\"type\":\"reading.taken\",\"data\":{\"n\":-1e400}}");
        String justAbove = publish("{\"type\":\"reading.taken\",\"data\":{\"n\":5.0000000000000000001}}");
        String justBelow = publish("{\"type\":\"reading.taken\",\"data\":{\"n\":4.9999999999999999999}}");
        waitForEvents(4);

        assertThat(deliveriesOf(huge)).extracting(d -> d.get("endpoint_id")).containsExactly(above);
        assertThat(deliveriesOf(hugeNegative)).extracting(d -> d.get("endpoint_id")).containsExactly(below);
        assertThat(deliveriesOf(justAbove)).extracting(d -> d.get("endpoint_id")).containsExactly(above);
        assertThat(deliveriesOf(justBelow)).extracting(d -> d.get("endpoint_id")).containsExactly(below);
        assertThat(receive(4)).extracting(TestReceiver.Received::path)
                .containsExactlyInAnyOrder("/above", "/above", "/below", "/below");
    }

    @Test
    void a_filter_that_is_not_a_valid_jsonpath_expression_gets_400_and_no_endpoint_is_created() {
        String endpoints = "/api/v1/accounts/" + account + "/endpoints";
        Map<String, Object[]> cases = Map.of(
                "severity in [high, critical]", new Object[] {"starting with '$'"},
                "$[?(@.data.severity in ['high'", new Object[] {"not a valid JSONPath"},
                "$[?(@.data.x =~ /[/)]", new Object[] {"not a valid JSONPath"},
                "$.data.tags.length()", new Object[] {"inside [?( )]"},
                "$[", new Object[] {"not a valid JSONPath"},
                "$[?(@.data.keys() contains \"a\")]", new Object[] {"'filter'"});
        for (var c : cases.entrySet()) {
            Api.Response response = operator.post(endpoints, Map.of("url", receiver.url("/x"), "filter", c.getKey()));
            assertThat(response.status()).as(c.getKey() + ": " + response.text()).isEqualTo(400);
            assertThat(response.contentType()).startsWith("application/problem+json");
            assertThat(response.json().get("detail").asText()).as(c.getKey()).contains("'filter'").contains((String) c.getValue()[0])
                    .doesNotContain("java.").doesNotContain("Exception");
        }
        Api.Response notAString = operator.post(endpoints, Map.of("url", receiver.url("/x"), "filter", Map.of("severity", "high")));
        assertThat(notAString.status()).isEqualTo(400);
        assertThat(notAString.json().get("detail").asText()).contains("must be a JSONPath expression (a string)");

        assertThat(count("SELECT COUNT(*) FROM endpoints WHERE account_id = ?", account)).isZero();
    }

    @Test
    void a_filter_with_more_than_one_deep_scan_gets_400_and_one_saved_before_selects_nothing_on_a_deep_event()
            throws Exception {
        String endpoints = "/api/v1/accounts/" + account + "/endpoints";
        assertProblem(operator.post(endpoints, Map.of("url", receiver.url("/x"), "filter", "$..*..*..*")), 400,
                "at most one deep scan");
        assertThat(count("SELECT COUNT(*) FROM endpoints WHERE account_id = ?", account)).isZero();
        // one deep scan, and '..' inside a quoted value, are fine
        createEndpoint(Map.of("url", receiver.url("/x"), "filter", "$[?(@.data.note == 'a..b')]"));
        String saved = createEndpoint(Map.of("url", receiver.url("/deep-scan"), "filter", "$..severity"))
                .get("id").asText();
        createEndpoint(Map.of("url", receiver.url("/everything")));
        // as an endpoint saved before such filters were refused holds it
        db.update("UPDATE endpoints SET filter_expression = '$..*..*..*' WHERE id = ?", saved);

        String deep = "{\"a\":".repeat(500) + "{\"severity\":\"high\"}" + "}".repeat(500);
        Api.Response published = operator.post("/api/v1/accounts/" + account + "/events",
                "{\"type\":\"finding.created\",\"data\":" + deep + "}");
        assertThat(published.status()).isEqualTo(202);
        assertThat(receive(1)).extracting(r -> r.path()).containsExactly("/everything");
    }

    @Test
    void an_endpoint_without_a_filter_shows_filter_null() {
        var endpoint = createEndpoint(Map.of("url", receiver.url("/plain")));
        assertThat(endpoint.has("filter")).isTrue();
        assertThat(endpoint.get("filter").isNull()).isTrue();
    }
}

package io.hookpost.inbound;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookpost.support.Api;
import io.hookpost.support.HookpostTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bulk reprocess of more callbacks than one request takes goes on from the answer's {@code nextSince}. On H2 only:
 * InboundHistoryPostgresTest runs the bulk reprocess's query on PostgreSQL, and a thousand normalisations more there
 * cost the suite seconds for nothing the query does differently.
 */
class CallbackReprocessPagingTest extends HookpostTest {
    @Test
    void a_bulk_reprocess_goes_on_from_next_since_past_a_thousand_callbacks() throws Exception {
        Api.Response created = operator.post("/api/v1/accounts/" + account + "/providers",
                Map.of("provider", "email-status", "credentials", Map.of()));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String connectionId = created.json().get("id").asText();
        java.time.Instant first = java.time.Instant.now().minus(java.time.Duration.ofHours(1))
                .truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < 1_001; i++) {
            // an event no mapping reads: ignored again, nothing sent
            rows.add(new Object[] {"cb_many_" + i + "_" + System.nanoTime(), connectionId, account, "many-" + i
                    + "-" + System.nanoTime(), "{\"messageId\":\"m-many\",\"event\":\"hover\"}"
                    .getBytes(StandardCharsets.UTF_8), java.sql.Timestamp.from(first.plusMillis(i))});
        }
        db.batchUpdate("INSERT INTO inbound_callbacks (id, connection_id, account_id, dedupe_key, headers, body, status,"
                + " received_at, processed_at) VALUES (?, ?, ?, ?, '{}', ?, 'ignored', ?, CURRENT_TIMESTAMP)", rows);
        String path = "/api/v1/accounts/" + account + "/providers/" + connectionId + "/callbacks/reprocess";

        JsonNode page = operator.post(path, Map.of("since", first.minusSeconds(1).toString())).json();
        assertThat(page.get("reprocessed").asInt()).isEqualTo(1_000);
        assertThat(java.time.Instant.parse(page.get("nextSince").asText())).isEqualTo(first.plusMillis(1_000));
        JsonNode rest = operator.post(path, Map.of("since", page.get("nextSince").asText())).json();
        assertThat(rest.get("reprocessed").asInt()).as("the one left").isEqualTo(1);
        assertThat(rest.get("nextSince").isNull()).isTrue();
        eventually(() -> count("SELECT COUNT(*) FROM inbound_callbacks WHERE connection_id = ? AND status = 'ignored'"
                + " AND processed_at IS NOT NULL", connectionId) == 1_001, "all 1,001 normalised again, ignored");
    }
}

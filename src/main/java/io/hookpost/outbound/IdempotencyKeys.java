package io.hookpost.outbound;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hookpost.api.ProblemException;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Step {@code check-idempotency-key} of the ingest route. A repeated {@code Idempotency-Key} stands for the same
 * event, so the fan-out records it once; a key sent again with another type, data, timestamp or channels would get a
 * 202 for an event that is then dropped as a repeat. That repeat gets 422 instead, as the IETF Idempotency-Key draft
 * advises for a key reused with a different payload (Stripe answers such a request with an error too). Only events already
 * recorded are compared: a repeat sent while the first is still on the queue is deduped by the fan-out as before.
 */
@Component("idempotencyKeys")
public class IdempotencyKeys {
    /** The request's {@code Idempotency-Key}, set by {@link EventReader#fromRequest} when the key gave the event its id. */
    public static final String KEY = "hookpost.idempotencyKey";
    /** Whether the request gave its own timestamp (else each repeat is stamped anew, and only type and data count). */
    public static final String TIMESTAMP_GIVEN = "hookpost.timestampGiven";

    private final JdbcTemplate jdbc;

    public IdempotencyKeys(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public void check(@Header("acct") String account, @ExchangeProperty(KEY) String key,
                      @ExchangeProperty(TIMESTAMP_GIVEN) boolean timestampGiven,
                      @ExchangeProperty(EventReader.ENVELOPE) ObjectNode event,
                      @ExchangeProperty(EventReader.CHANNELS) String channels) throws IOException {
        String id = event.get("id").asText();
        List<Map<String, Object>> recorded = jdbc.queryForList(
                "SELECT payload, channels FROM events WHERE account_id = ? AND id = ?", account, id);
        if (recorded.isEmpty() || recorded.get(0).get("payload") == null) {
            // not recorded yet, or its payload deleted since (nothing to compare): the fan-out drops it as a repeat
            return;
        }
        JsonNode first = EventReader.EXACT_JSON.readTree((String) recorded.get(0).get("payload"));
        boolean same = first.get("type").equals(event.get("type")) && first.get("data").equals(event.get("data"))
                && (!timestampGiven || first.get("timestamp").equals(event.get("timestamp")))
                && Set.copyOf(Channels.list(recorded.get(0).get("channels")))
                        .equals(Set.copyOf(Channels.list(channels)));
        if (!same) {
            throw ProblemException.unprocessable("The Idempotency-Key '" + key + "' was used for event " + id
                    + " with another " + (timestampGiven ? "type, data, timestamp or channels"
                    : "type, data or channels") + "; a new event needs a new key.");
        }
    }
}

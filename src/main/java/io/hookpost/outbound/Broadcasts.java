package io.hookpost.outbound;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hookpost.HookpostProperties;
import io.hookpost.api.ProblemException;
import org.apache.camel.Exchange;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * A broadcast's id, recorded before any account's copy is sent: the fan-out records an account's event once by its id
 * whatever the body, so two broadcasts with one id and other content at the same moment would leave some accounts with
 * one and some with the other. The second is refused (422), and a resend of the same one takes the first's timestamp,
 * so every account holds one event.
 */
@Component("broadcasts")
public class Broadcasts {
    /** Whether the broadcast request gave its event's timestamp (else it is when the first was sent). */
    public static final String TIMESTAMP_GIVEN = "hookpost.broadcastTimestampGiven";

    private final JdbcTemplate jdbc;
    private final Duration retention;

    public Broadcasts(JdbcTemplate jdbc, HookpostProperties properties) {
        this.jdbc = jdbc;
        this.retention = properties.history().retention();
    }

    /** Step {@code record-broadcast}: the id taken for this content, or 422 when it was sent with other content. */
    public void record(Exchange exchange) throws JsonProcessingException {
        ObjectNode envelope = exchange.getProperty(EventReader.ENVELOPE, ObjectNode.class);
        String channels = exchange.getProperty(EventReader.CHANNELS, String.class);
        boolean timestampGiven = Boolean.TRUE.equals(exchange.getProperty(TIMESTAMP_GIVEN, Boolean.class));
        String id = envelope.get("id").asText();
        String hash = EventReader.sha256Hex(envelope.get("type").asText() + "\n"
                + EventReader.write(envelope.get("data")) + "\n" + (channels == null ? "" : channels) + "\n"
                + (timestampGiven ? envelope.get("timestamp").asText() : ""));
        OffsetDateTime occurredAt = Instant.parse(envelope.get("timestamp").asText()).atOffset(ZoneOffset.UTC);
        try {
            jdbc.update("INSERT INTO broadcasts (id, request_hash, occurred_at, created_at) VALUES (?, ?, ?, ?)",
                    id, hash, occurredAt, OffsetDateTime.now(ZoneOffset.UTC));
            return;
        } catch (DuplicateKeyException sentBefore) {
            // the same id again: a resend of the same broadcast goes on, another is refused
        }
        List<Sent> first = jdbc.query("SELECT request_hash, occurred_at FROM broadcasts WHERE id = ?",
                (rs, n) -> new Sent(rs.getString(1), rs.getObject(2, OffsetDateTime.class)), id);
        if (first.isEmpty()) {
            // forgotten at this moment by the purge: as if never sent
            record(exchange);
            return;
        }
        if (!first.get(0).requestHash().equals(hash)) {
            throw ProblemException.unprocessable("The broadcast '" + id + "' was sent with another type, data,"
                    + " channels or timestamp; give this one another id (or Idempotency-Key).");
        }
        if (!timestampGiven) {
            envelope.put("timestamp", DateTimeFormatter.ISO_INSTANT.format(first.get(0).occurredAt().toInstant()));
        }
    }

    /** Step {@code forget-old-broadcasts} of the history purge: ids older than the history they made. */
    public int forgetExpired() {
        if (retention.isZero()) {
            return 0;
        }
        return jdbc.update("DELETE FROM broadcasts WHERE created_at < ?",
                OffsetDateTime.now(ZoneOffset.UTC).minus(retention));
    }

    private record Sent(String requestHash, OffsetDateTime occurredAt) {
    }
}

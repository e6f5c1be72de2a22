package io.hookpost.outbound;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hookpost.HookpostProperties;
import io.hookpost.api.ApiAccess;
import io.hookpost.api.ProblemException;
import io.hookpost.api.Views;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Broadcasts, recorded by their request and sent in the background (route {@code send-broadcasts}). The id is
 * recorded before any account's copy is sent: the fan-out records an account's event once by its id whatever the
 * body, so two broadcasts with one id and other content at the same moment would leave some accounts with one and
 * some with the other. The second is refused (422), and a resend of the same one takes the first's timestamp, so every
 * account holds one event.
 */
@Component("broadcasts")
public class Broadcasts {
    /** Whether the broadcast request gave its event's timestamp (else it is when the first was sent). */
    public static final String TIMESTAMP_GIVEN = "hookpost.broadcastTimestampGiven";
    /** When the broadcast being sent was last asked for (a resend meanwhile has it sent again). */
    private static final String REQUESTED_AT = "hookpost.broadcastRequestedAt";
    /** How many accounts the broadcast being sent went to. */
    public static final String ACCOUNTS = "hookpost.accounts";

    private final JdbcTemplate jdbc;
    private final Duration retention;

    public Broadcasts(JdbcTemplate jdbc, HookpostProperties properties) {
        this.jdbc = jdbc;
        this.retention = properties.history().retention();
    }

    /**
     * Step {@code record-broadcast}: the id taken for this content, or 422 when it was sent with other content; the
     * broadcast is to be sent (again: a resend reaches accounts created since) by the next {@code send-broadcasts}.
     */
    public void record(Exchange exchange) throws JsonProcessingException {
        ObjectNode envelope = exchange.getProperty(EventReader.ENVELOPE, ObjectNode.class);
        String channels = exchange.getProperty(EventReader.CHANNELS, String.class);
        boolean timestampGiven = Boolean.TRUE.equals(exchange.getProperty(TIMESTAMP_GIVEN, Boolean.class));
        String id = envelope.get("id").asText();
        String hash = EventReader.sha256Hex(envelope.get("type").asText() + "\n"
                + EventReader.write(envelope.get("data")) + "\n" + (channels == null ? "" : channels) + "\n"
                + (timestampGiven ? envelope.get("timestamp").asText() : ""));
        OffsetDateTime occurredAt = Instant.parse(envelope.get("timestamp").asText()).atOffset(ZoneOffset.UTC);
        // to the microsecond, as the databases keep it: mark-broadcast-sent compares it
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
        try {
            jdbc.update("INSERT INTO broadcasts (id, request_hash, occurred_at, created_at, type, payload, channels,"
                    + " requested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", id, hash, occurredAt, now,
                    envelope.get("type").asText(), EventReader.write(envelope), channels, now);
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
        jdbc.update("UPDATE broadcasts SET payload = ?, requested_at = ?, sent_at = NULL, accounts = NULL WHERE id = ?",
                EventReader.write(envelope), now, id);
    }

    /**
     * Step {@code read-broadcast} of {@code send-broadcasts} (body: a row of unsent-broadcasts.sql): its event as the
     * properties each account's queue message is written from ({@link EventReader#forAccount}).
     */
    public void read(@Body Map<String, Object> row, Exchange exchange) throws IOException {
        exchange.setProperty(EventReader.EVENT_ID, row.get("id"));
        exchange.setProperty(EventReader.ENVELOPE,
                EventReader.readExact(((String) row.get("payload")).getBytes(StandardCharsets.UTF_8)));
        exchange.setProperty(EventReader.CHANNELS, row.get("channels"));
        exchange.setProperty(REQUESTED_AT, row.get("requested_at"));
    }

    /**
     * Step {@code mark-broadcast-sent}: every account's copy is on the events queue. Its payload is not kept; a
     * broadcast asked for again meanwhile stays to be sent again.
     */
    public void markSent(Exchange exchange) {
        jdbc.update("UPDATE broadcasts SET sent_at = ?, accounts = ?, payload = NULL WHERE id = ? AND requested_at = ?",
                OffsetDateTime.now(ZoneOffset.UTC), exchange.getProperty(ACCOUNTS, Integer.class),
                exchange.getProperty(EventReader.EVENT_ID, String.class), exchange.getProperty(REQUESTED_AT));
    }

    /** {@code GET /api/v1/broadcast/{broadcastId}} (operators): whether it is sent yet, and to how many accounts. */
    public Map<String, Object> view(@Header("broadcastId") String id, Exchange exchange) {
        ApiAccess.requireOperator(exchange);
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT id, type, occurred_at, created_at, requested_at,"
                + " sent_at, accounts FROM broadcasts WHERE id = ?", id);
        if (rows.isEmpty()) {
            throw ProblemException.notFound("No broadcast '" + id + "' (ids are kept as long as"
                    + " hookpost.history.retention).");
        }
        Map<String, Object> row = rows.get(0);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", row.get("id"));
        view.put("type", row.get("type"));
        view.put("status", row.get("sent_at") == null ? "sending" : "sent");
        view.put("accounts", row.get("accounts"));
        view.put("timestamp", Views.instant(row.get("occurred_at")));
        view.put("createdAt", Views.instant(row.get("created_at")));
        view.put("requestedAt", Views.instant(row.get("requested_at")));
        view.put("sentAt", Views.instant(row.get("sent_at")));
        return view;
    }

    /** Step {@code forget-old-broadcasts} of the history purge: ids older than the history they made. */
    public int forgetExpired() {
        if (retention.isZero()) {
            return 0;
        }
        // one not yet sent stays until it is
        return jdbc.update("DELETE FROM broadcasts WHERE created_at < ? AND sent_at IS NOT NULL",
                OffsetDateTime.now(ZoneOffset.UTC).minus(retention));
    }

    private record Sent(String requestHash, OffsetDateTime occurredAt) {
    }
}

package io.hookpost.api;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

import org.apache.camel.Header;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * {@code DELETE …/events/{eventId}/payload}: the event's payload is deleted, as Svix deletes a message's content when
 * it was sent with data it should not have held. The event stays (its id still deduplicates a repeat, its deliveries
 * and their attempts, without the request body nor the answer's body and headers, stay listed); a delivery not yet
 * delivered (pending, held or failed) is discarded, as it has nothing left to send, and none is sent again.
 */
@Component("eventPayloads")
public class EventPayloads {
    private final JdbcTemplate jdbc;

    public EventPayloads(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Transactional
    public void delete(@Header("acct") String account, @Header("eventId") String id) {
        // locked: a manual retry of one of its deliveries (DeliveryApi) takes the same lock, so none is made pending
        // again once the payload is gone
        List<OffsetDateTime> deleted = jdbc.queryForList("SELECT payload_deleted_at FROM events WHERE account_id = ?"
                + " AND id = ? FOR UPDATE", OffsetDateTime.class, account, id);
        if (deleted.isEmpty()) {
            throw HistoryApi.noEvent(account, id);
        }
        if (deleted.get(0) != null) {
            return; // deleted before: that time stays
        }
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        jdbc.update("UPDATE events SET payload = NULL, payload_deleted_at = ? WHERE account_id = ? AND id = ?",
                now, account, id);
        // an attempt in flight keeps its claim and is recorded; the delivery stays discarded whatever it answers
        jdbc.update("UPDATE deliveries SET status = 'discarded', next_attempt_at = NULL, updated_at = ?"
                + " WHERE account_id = ? AND event_id = ? AND status IN ('pending', 'held', 'failed')",
                now, account, id);
        // the answers go too: receivers echo what they were sent (an error page quoting the body, a header); the
        // status, the time and the error stay
        jdbc.update("UPDATE attempts SET response_body = NULL, response_headers = NULL WHERE delivery_id IN"
                + " (SELECT id FROM deliveries WHERE account_id = ? AND event_id = ?)", account, id);
    }
}

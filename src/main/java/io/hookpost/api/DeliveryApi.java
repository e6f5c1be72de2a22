package io.hookpost.api;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.apache.camel.Header;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** {@code POST …/deliveries/{id}/retry}: try one delivery again now, whatever its status but discarded. */
@Component("deliveryApi")
public class DeliveryApi {
    private final JdbcTemplate jdbc;

    public DeliveryApi(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Transactional
    public Map<String, Object> retry(@Header("acct") String account, @Header("deliveryId") String id) {
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT d.status, d.event_id, e.active, e.deleted_at"
                + " FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id WHERE d.id = ? AND d.account_id = ?",
                id, account);
        if (rows.isEmpty()) {
            throw noDelivery(account, id);
        }
        Map<String, Object> row = rows.get(0);
        // the event's row, locked as EventPayloads locks it to delete the payload: a delivery is not made pending
        // again with nothing left to send
        List<OffsetDateTime> payloadDeleted = jdbc.queryForList("SELECT payload_deleted_at FROM events"
                + " WHERE account_id = ? AND id = ? FOR UPDATE", OffsetDateTime.class, account, row.get("event_id"));
        if (!payloadDeleted.isEmpty() && payloadDeleted.get(0) != null) {
            throw ProblemException.conflict("The event's payload was deleted: its deliveries are not sent again.");
        }
        if ("discarded".equals(row.get("status"))) {
            throw ProblemException.conflict("The delivery was discarded with its endpoint.");
        }
        if (row.get("deleted_at") != null) {
            throw ProblemException.conflict("The delivery's endpoint was deleted: its deliveries are not sent again.");
        }
        if (!Boolean.TRUE.equals(row.get("active"))) {
            throw ProblemException.conflict("The endpoint is disabled; enable it before retrying its deliveries.");
        }
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        // due now: the retry scheduler claims it within one poll interval. An attempt that holds it already ends
        // first; retry_requested makes its failure leave the delivery due now rather than at the schedule's next
        // step (or failed), and the next claim clears it.
        int requeued = jdbc.update("UPDATE deliveries SET status = 'pending', next_attempt_at = ?, updated_at = ?,"
                + " trigger_kind = CASE WHEN trigger_kind = 'test' THEN 'test' ELSE 'manual' END,"
                + " retry_requested = TRUE WHERE id = ? AND status <> 'discarded'", now, now, id);
        if (requeued == 0) {
            // deleted by the history retention (or discarded) since it was read: there is nothing to send again
            throw noDelivery(account, id);
        }
        return Map.of("id", id, "status", "pending");
    }

    /** 404: no such delivery in the account (another account's answers so too). */
    static ProblemException noDelivery(String account, String id) {
        return ProblemException.notFound("No delivery '" + id + "' in account '" + account + "'.");
    }
}

package io.hookpost.api;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookpost.outbound.Channels;
import io.hookpost.outbound.Envelope;
import org.apache.camel.Header;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * What happened to an account's events: the events, newest first; an event with its deliveries; the deliveries by
 * status, one delivery; an endpoint's or a delivery's attempts with the request and response of each (newest first,
 * cursor paging), and an endpoint's counts.
 */
@Component("historyApi")
public class HistoryApi {
    /** Every status a delivery can have: the list without a filter is a page of each, merged ({@link #everyStatus}). */
    private static final List<String> STATUS_ORDER = List.of("pending", "held", "delivered", "failed", "discarded");
    private static final Set<String> STATUSES = Set.copyOf(STATUS_ORDER);
    /** The window an endpoint's stats count over when the request names none. */
    private static final Duration STATS_WINDOW = Duration.ofDays(1);
    /** The widest window: the stats count the window's rows (by the indexes on endpoint and time), every request. */
    private static final Duration MAX_STATS_WINDOW = Duration.ofDays(31);
    /** The stats' series buckets, in seconds: at most 745 of them in the widest window (744 hours and a part). */
    private static final Map<String, Integer> BUCKETS = Map.of("hour", 3600, "day", 86400);

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;

    public HistoryApi(JdbcTemplate jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** {@code GET …/events/{eventId}}: the event as delivered, and its deliveries. */
    public Map<String, Object> event(@Header("acct") String account, @Header("eventId") String id) {
        List<Map<String, Object>> rows = jdbc.queryForList(
                "SELECT * FROM events WHERE account_id = ? AND id = ?", account, id);
        if (rows.isEmpty()) {
            throw noEvent(account, id);
        }
        Map<String, Object> row = rows.get(0);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", row.get("id"));
        view.put("type", row.get("type"));
        view.put("timestamp", Views.instant(row.get("occurred_at")));
        view.put("channels", Channels.list(row.get("channels")));
        // the stored bytes as they are, as delivered: read into a tree, 1E+400 would come back as "Infinity"
        String payload = (String) row.get("payload");
        view.put("payload", payload == null ? null : new com.fasterxml.jackson.databind.util.RawValue(payload));
        view.put("payloadDeletedAt", Views.instant(row.get("payload_deleted_at")));
        view.put("source", row.get("source"));
        view.put("createdAt", Views.instant(row.get("created_at")));
        List<Map<String, Object>> deliveries = new ArrayList<>();
        jdbc.queryForList("SELECT * FROM deliveries WHERE account_id = ? AND event_id = ? ORDER BY id", account, id)
                .forEach(d -> deliveries.add(Views.delivery(d)));
        view.put("deliveries", deliveries);
        return view;
    }

    /** 404: no such event in the account (another account's answers so too). */
    static ProblemException noEvent(String account, String id) {
        return ProblemException.notFound("No event '" + id + "' in account '" + account + "'.");
    }

    /**
     * {@code GET …/events?type=&channel=&since=&until=&limit=&cursor=}: the account's events, newest first by when
     * Hookpost accepted them (as Svix's message list), each with its deliveries counted by status; without the payload,
     * which {@link #event} gives one at a time (a page of 100 events of 256 KB would be 25 MB). {@code type} is a type
     * or a wildcard such as {@code host.*}, as an endpoint subscribes; {@code channel} one of the events' channels.
     */
    public Map<String, Object> events(@Header("acct") String account, @Header("type") String type,
                                      @Header("channel") String channel,
                                      @Header("since") String since, @Header("until") String until,
                                      @Header("limit") String limit, @Header("cursor") String cursor) {
        int pageSize = Paging.limit(limit);
        Paging.Cursor from = Paging.cursor(cursor);
        StringBuilder sql = new StringBuilder("SELECT id, type, occurred_at, source, created_at, payload_deleted_at,"
                + " channels FROM events WHERE account_id = ?");
        List<Object> args = new ArrayList<>(List.of(account));
        if (type != null && !type.equals("*")) {
            if (!EndpointApi.isTypeOrWildcard(type)) {
                throw ProblemException.badRequest("'type' is an event type such as 'host.offline' or a wildcard such as"
                        + " 'host.*'; got '" + type + "'.");
            }
            if (type.endsWith(".*")) {
                // types hold letters, digits, '_', '-' and '.': only '_' means something to LIKE
                sql.append(" AND type LIKE ? ESCAPE '!'");
                args.add(type.substring(0, type.length() - 1).replace("_", "!_") + "%");
            } else {
                sql.append(" AND type = ?");
                args.add(type);
            }
        }
        if (channel != null) {
            // one name among the space-separated ones; of a name's characters only '_' means something to LIKE
            if (!Channels.isName(channel)) {
                throw ProblemException.badRequest("'channel' is a channel's name: " + Channels.NAME_RULE + "; got '"
                        + channel + "'.");
            }
            sql.append(" AND ' ' || channels || ' ' LIKE ? ESCAPE '!'");
            args.add("% " + channel.replace("_", "!_") + " %");
        }
        OffsetDateTime after = since == null ? null : EndpointApi.timestamp("since", since);
        OffsetDateTime before = until == null ? null : EndpointApi.timestamp("until", until);
        if (after != null && before != null && !before.isAfter(after)) {
            throw ProblemException.badRequest("'until' must be after 'since'.");
        }
        if (after != null) {
            sql.append(" AND created_at >= ?");
            args.add(after);
        }
        if (before != null) {
            sql.append(" AND created_at < ?");
            args.add(before);
        }
        Map<String, Object> page = page(sql, args, "", from, pageSize, this::listedEvent);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> data = (List<Map<String, Object>>) page.get("data");
        countDeliveries(account, data);
        return page;
    }

    private Map<String, Object> listedEvent(Map<String, Object> row) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", row.get("id"));
        view.put("type", row.get("type"));
        view.put("timestamp", Views.instant(row.get("occurred_at")));
        view.put("channels", Channels.list(row.get("channels")));
        view.put("source", row.get("source"));
        view.put("createdAt", Views.instant(row.get("created_at")));
        view.put("payloadDeletedAt", Views.instant(row.get("payload_deleted_at")));
        return view;
    }

    /** Adds {@code deliveryCounts} by status to each listed event: one query for the page, by (account, event). */
    private void countDeliveries(String account, List<Map<String, Object>> events) {
        if (events.isEmpty()) {
            return;
        }
        Map<Object, Map<String, Object>> counts = new LinkedHashMap<>();
        StringBuilder in = new StringBuilder();
        List<Object> args = new ArrayList<>(List.of(account));
        for (Map<String, Object> event : events) {
            Map<String, Object> byStatus = new LinkedHashMap<>();
            STATUS_ORDER.forEach(status -> byStatus.put(status, 0L));
            event.put("deliveryCounts", byStatus);
            counts.put(event.get("id"), byStatus);
            in.append(in.length() == 0 ? "?" : ", ?");
            args.add(event.get("id"));
        }
        jdbc.query("SELECT event_id, status, COUNT(*) FROM deliveries WHERE account_id = ? AND event_id IN (" + in
                + ") GROUP BY event_id, status", row -> {
                    counts.get(row.getString(1)).put(row.getString(2), row.getLong(3));
                }, args.toArray());
    }

    /** {@code GET …/deliveries?status=&endpointId=&limit=&cursor=}: newest first. */
    public Map<String, Object> deliveries(@Header("acct") String account, @Header("status") String status,
                                          @Header("endpointId") String endpointId, @Header("limit") String limit,
                                          @Header("cursor") String cursor) {
        if (status != null && !STATUSES.contains(status)) {
            throw ProblemException.badRequest("'status' must be one of pending, held, delivered, failed, discarded.");
        }
        int pageSize = Paging.limit(limit);
        Paging.Cursor from = Paging.cursor(cursor);
        if (status == null && endpointId == null) {
            return everyStatus(account, from, pageSize);
        }
        StringBuilder sql = new StringBuilder("SELECT * FROM deliveries WHERE account_id = ?");
        List<Object> args = new ArrayList<>(List.of(account));
        if (status != null) {
            sql.append(" AND status = ?");
            args.add(status);
        }
        if (endpointId != null) {
            sql.append(" AND endpoint_id = ?");
            args.add(endpointId);
        }
        return page(sql, args, "", from, pageSize, Views::delivery);
    }

    /**
     * {@code GET …/endpoints/{endpointId}/attempts?status=&limit=&cursor=}: newest first, with request and response;
     * {@code status} {@code failed} or {@code succeeded} lists those only (as Svix's attempt list filters by status).
     */
    public Map<String, Object> attempts(@Header("acct") String account, @Header("endpointId") String endpointId,
                                        @Header("status") String status, @Header("limit") String limit,
                                        @Header("cursor") String cursor) {
        if (status != null && !status.equals("failed") && !status.equals("succeeded")) {
            throw ProblemException.badRequest("'status' is failed or succeeded.");
        }
        checkEndpoint(account, endpointId);
        // the filter reads the endpoint's attempts newest first (its index) until a page has matched
        return attemptsWhere("a.endpoint_id = ?" + (status == null ? "" : " AND a.succeeded = "
                + (status.equals("succeeded") ? "TRUE" : "FALSE")), account, endpointId, limit, cursor);
    }

    /** {@code GET …/deliveries/{deliveryId}}: one delivery, as the lists show it. */
    public Map<String, Object> delivery(@Header("acct") String account, @Header("deliveryId") String id) {
        List<Map<String, Object>> rows = jdbc.queryForList(
                "SELECT * FROM deliveries WHERE account_id = ? AND id = ?", account, id);
        if (rows.isEmpty()) {
            throw DeliveryApi.noDelivery(account, id);
        }
        return Views.delivery(rows.get(0));
    }

    /**
     * {@code GET …/deliveries/{deliveryId}/attempts?limit=&cursor=}: every try of one delivery, newest first, with
     * request and response (Svix lists a message's attempts so): why one event did or did not arrive, without paging
     * through the endpoint's other traffic. Read by the index on attempts.delivery_id (V9).
     */
    public Map<String, Object> deliveryAttempts(@Header("acct") String account, @Header("deliveryId") String id,
                                                @Header("limit") String limit, @Header("cursor") String cursor) {
        Integer known = jdbc.queryForObject("SELECT COUNT(*) FROM deliveries WHERE id = ? AND account_id = ?",
                Integer.class, id, account);
        if (known == null || known == 0) {
            throw DeliveryApi.noDelivery(account, id);
        }
        return attemptsWhere("a.delivery_id = ?", account, id, limit, cursor);
    }

    /** A page of the account's attempts matching {@code condition} (on one value), with their requests' bodies. */
    private Map<String, Object> attemptsWhere(String condition, String account, String value, String limit,
                                              String cursor) {
        int pageSize = Paging.limit(limit);
        Paging.Cursor from = Paging.cursor(cursor);
        StringBuilder sql = new StringBuilder("SELECT a.*, d.event_id, ev.payload FROM attempts a"
                + " JOIN deliveries d ON d.id = a.delivery_id"
                + " JOIN events ev ON ev.account_id = d.account_id AND ev.id = d.event_id"
                + " WHERE a.account_id = ? AND " + condition);
        List<Object> args = new ArrayList<>(List.of(account, value));
        return page(sql, args, "a.", from, pageSize, this::attempt);
    }

    /**
     * {@code GET …/endpoints/{endpointId}/stats?since=&until=}: the endpoint's deliveries created in [since, until)
     * by status, and its attempts made then, succeeded and failed (as Svix's endpoint stats): whether it is healthy at
     * a glance. By default the last day; at most 31 days.
     */
    public Map<String, Object> stats(@Header("acct") String account, @Header("endpointId") String endpointId,
                                     @Header("since") String since, @Header("until") String until,
                                     @Header("interval") String interval) {
        Integer bucketSeconds = interval == null ? null : BUCKETS.get(interval);
        if (interval != null && bucketSeconds == null) {
            throw ProblemException.badRequest("'interval' is hour or day.");
        }
        checkEndpoint(account, endpointId);
        OffsetDateTime to = until == null ? OffsetDateTime.now(ZoneOffset.UTC) : EndpointApi.timestamp("until", until);
        OffsetDateTime from = since == null ? to.minus(STATS_WINDOW) : EndpointApi.timestamp("since", since);
        if (!to.isAfter(from)) {
            throw ProblemException.badRequest("'until' must be after 'since'.");
        }
        if (Duration.between(from, to).compareTo(MAX_STATS_WINDOW) > 0) {
            throw ProblemException.badRequest("'since' to 'until' may span at most 31 days.");
        }
        Map<String, Object> deliveries = new LinkedHashMap<>();
        STATUS_ORDER.forEach(status -> deliveries.put(status, 0L));
        jdbc.query("SELECT status, COUNT(*) FROM deliveries WHERE endpoint_id = ? AND created_at >= ?"
                        + " AND created_at < ? GROUP BY status",
                row -> {
                    deliveries.put(row.getString(1), row.getLong(2));
                }, endpointId, from, to);
        // with a series the totals are its sums: the window's attempts are counted once (500,000 attempts a day on
        // PostgreSQL: 0.2 s the totals, 0.3 s the series)
        List<Map<String, Object>> series = bucketSeconds == null ? null : series(endpointId, from, to, bucketSeconds);
        long total;
        long succeeded;
        if (series == null) {
            long[] counted = jdbc.queryForObject("SELECT COUNT(*), COALESCE(SUM(CASE WHEN succeeded THEN 1 ELSE 0 END),"
                            + " 0) FROM attempts WHERE endpoint_id = ? AND created_at >= ? AND created_at < ?",
                    (row, n) -> new long[] {row.getLong(1), row.getLong(2)}, endpointId, from, to);
            total = counted[0];
            succeeded = counted[1];
        } else {
            succeeded = series.stream().mapToLong(point -> (Long) point.get("succeeded")).sum();
            total = succeeded + series.stream().mapToLong(point -> (Long) point.get("failed")).sum();
        }
        Map<String, Object> attempts = new LinkedHashMap<>();
        attempts.put("total", total);
        attempts.put("succeeded", succeeded);
        attempts.put("failed", total - succeeded);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("endpointId", endpointId);
        view.put("since", Views.instant(from));
        view.put("until", Views.instant(to));
        view.put("deliveries", deliveries);
        view.put("attempts", attempts);
        if (series != null) {
            view.put("interval", interval);
            view.put("series", series);
        }
        return view;
    }

    /**
     * The endpoint's attempts in [from, to) by UTC hour or day, succeeded and failed, every bucket of the window listed
     * (the first and last only in part when the window starts or ends inside them). The buckets are counted in the
     * database: EXTRACT(EPOCH …) reads the same on H2 and PostgreSQL, whatever the session's time zone; the bucket's
     * length is one of two constants, written into the SQL so that GROUP BY repeats the select's expression.
     */
    private List<Map<String, Object>> series(String endpointId, OffsetDateTime from, OffsetDateTime to, int seconds) {
        String bucket = "FLOOR(EXTRACT(EPOCH FROM created_at) / " + seconds + ")";
        Map<Long, long[]> counted = new HashMap<>();
        jdbc.query("SELECT " + bucket + ", COUNT(*), COALESCE(SUM(CASE WHEN succeeded THEN 1 ELSE 0 END), 0)"
                        + " FROM attempts WHERE endpoint_id = ? AND created_at >= ? AND created_at < ?"
                        + " GROUP BY " + bucket,
                row -> {
                    counted.put(row.getLong(1), new long[] {row.getLong(2), row.getLong(3)});
                }, endpointId, from, to);
        List<Map<String, Object>> series = new ArrayList<>();
        long first = Math.floorDiv(from.toEpochSecond(), seconds);
        long last = Math.floorDiv(to.toEpochSecond() - (to.getNano() == 0 ? 1 : 0), seconds);
        for (long b = first; b <= last; b++) {
            long[] n = counted.getOrDefault(b, new long[2]);
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("start", Views.instant(OffsetDateTime.ofInstant(Instant.ofEpochSecond(b * seconds),
                    ZoneOffset.UTC)));
            point.put("succeeded", n[1]);
            point.put("failed", n[0] - n[1]);
            series.add(point);
        }
        return series;
    }

    /** 404 unless the endpoint is the account's (a deleted one too: its history is still there). */
    private void checkEndpoint(String account, String endpointId) {
        Integer known = jdbc.queryForObject("SELECT COUNT(*) FROM endpoints WHERE id = ? AND account_id = ?",
                Integer.class, endpointId, account);
        if (known == null || known == 0) {
            throw ProblemException.notFound("No endpoint '" + endpointId + "' in account '" + account + "'.");
        }
    }

    /**
     * An account's deliveries of every status: a page from each status's part of the index (account_id, status,
     * created_at), merged. Ordered by created_at across statuses, the one query read and sorted every delivery of the
     * account (PostgreSQL, 1.28 million rows: 2.2 s a first page, now 0.6 ms); an index of its own would be a fifth
     * one written with every delivery.
     */
    private Map<String, Object> everyStatus(String account, Paging.Cursor from, int pageSize) {
        StringBuilder sql = new StringBuilder("SELECT * FROM (");
        List<Object> args = new ArrayList<>();
        for (String status : STATUS_ORDER) {
            sql.append(status.equals(STATUS_ORDER.get(0)) ? "" : " UNION ALL ")
                    .append("(SELECT * FROM deliveries WHERE account_id = ? AND status = ?");
            args.add(account);
            args.add(status);
            Paging.seek(sql, args, "", from, pageSize + 1);
            sql.append(')');
        }
        sql.append(") d ORDER BY created_at DESC, id DESC LIMIT ?");
        args.add(pageSize + 1);
        return Paging.page(jdbc.queryForList(sql.toString(), args.toArray()), pageSize, Views::delivery);
    }

    private Map<String, Object> page(StringBuilder sql, List<Object> args, String t, Paging.Cursor from, int pageSize,
                                     java.util.function.Function<Map<String, Object>, Map<String, Object>> view) {
        return Paging.query(jdbc, sql, args, t, from, pageSize, view);
    }

    private Map<String, Object> attempt(Map<String, Object> row) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", row.get("id"));
        view.put("deliveryId", row.get("delivery_id"));
        view.put("eventId", row.get("event_id"));
        view.put("endpointId", row.get("endpoint_id"));
        view.put("attemptNumber", row.get("attempt_number"));
        view.put("trigger", row.get("trigger_kind"));
        view.put("url", row.get("request_url"));
        view.put("requestHeaders", Views.json(json, row.get("request_headers")));
        // the body is the event's payload in the shape the attempt sent, the same on every attempt of that shape, so it
        // is not copied per attempt
        // (none once the event's payload was deleted)
        String payload = (String) row.get("payload");
        view.put("requestBody", payload == null ? null
                : Envelope.fromApiName((String) row.get("request_envelope")).orElse(Envelope.STANDARD).text(payload));
        view.put("responseStatus", row.get("response_status"));
        view.put("responseHeaders", Views.json(json, row.get("response_headers")));
        view.put("responseBody", row.get("response_body"));
        view.put("durationMs", row.get("duration_ms"));
        view.put("error", row.get("error"));
        view.put("succeeded", row.get("succeeded"));
        view.put("createdAt", Views.instant(row.get("created_at")));
        return view;
    }
}

package io.hookpost.api;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookpost.outbound.DeliveryRequest;

/** Shared pieces of the API's JSON views: timestamps as ISO instants, stored JSON text as JSON. */
public final class Views {
    private Views() {
    }

    /**
     * Where people and providers outside reach this Hookpost, for the links the API hands out: {@code configured}
     * (hookpost.inbound.public-base-url) or, without it, the address this API call came to, up to {@code /api/}.
     */
    static String publicBase(String configured, org.apache.camel.Exchange exchange) {
        if (configured != null) {
            return configured;
        }
        String url = exchange.getIn().getHeader(org.apache.camel.Exchange.HTTP_URL, String.class);
        if (url == null) {
            return "";
        }
        int apiPath = url.indexOf("/api/");
        return apiPath < 0 ? url : url.substring(0, apiPath);
    }

    /** Now, to the microsecond: the finest time the database keeps, so an answer shows what a later read shows. */
    static OffsetDateTime now() {
        return OffsetDateTime.now(java.time.ZoneOffset.UTC).truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    }

    static OffsetDateTime time(Object value) {
        return DeliveryRequest.toOffsetDateTime(value);
    }

    public static String instant(Object value) {
        OffsetDateTime time = time(value);
        return time == null ? null : DateTimeFormatter.ISO_INSTANT.format(time);
    }

    static JsonNode json(ObjectMapper json, Object text) {
        if (text == null) {
            return null;
        }
        try {
            return json.readTree((String) text);
        } catch (IOException e) {
            throw new IllegalStateException("stored JSON is unreadable", e);
        }
    }

    /** A delivery as the API shows it (inside an event, an endpoint or the deliveries list). */
    static Map<String, Object> delivery(Map<String, Object> row) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", row.get("id"));
        view.put("eventId", row.get("event_id"));
        view.put("endpointId", row.get("endpoint_id"));
        view.put("status", row.get("status"));
        view.put("attempts", row.get("attempts"));
        view.put("lastAttemptAt", instant(row.get("last_attempt_at")));
        view.put("lastResponseStatus", row.get("last_response_status"));
        view.put("lastError", row.get("last_error"));
        view.put("nextAttemptAt", "pending".equals(row.get("status")) ? instant(row.get("next_attempt_at")) : null);
        view.put("deliveredAt", instant(row.get("delivered_at")));
        view.put("createdAt", instant(row.get("created_at")));
        return view;
    }
}

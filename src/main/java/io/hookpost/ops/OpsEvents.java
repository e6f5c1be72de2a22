package io.hookpost.ops;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookpost.HookpostProperties;
import io.hookpost.outbound.DeliveryProperties;
import io.hookpost.outbound.DeliveryRequest;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Operational events for the operator (as Svix's operational webhooks): {@code endpoint.disabled},
 * {@code delivery.failing}, {@code delivery.recovered} and {@code delivery.exhausted}, and an account's
 * {@code endpoint.created}, {@code .updated}, {@code .enabled} (after being disabled) and {@code .deleted} over the API
 * or the portal. They are events of the
 * ops account ({@code hookpost.ops.account-id}), so the operator's admin webhooks are simply
 * that account's endpoints, delivered, signed and retried like any other. Their ids are derived from what
 * happened, so a repeat is deduplicated. Nothing is emitted about the ops account's own deliveries, so a
 * failing admin webhook cannot feed on itself.
 */
@Component("opsEvents")
public class OpsEvents {
    /** Exchange property: the endpoint change an API request made ({@code endpoint.created} …), if any. */
    public static final String ENDPOINT_CHANGE = "hookpost.endpointChange";
    /** Exchange property: the request paused an active endpoint (also an {@code endpoint.disabled}, trigger manual). */
    public static final String ENDPOINT_PAUSED = "hookpost.endpointPaused";
    /** Header: when the endpoint just disabled began failing, as the database has it. */
    public static final String FAILING_SINCE = "hookpostFailingSince";
    /** Exchange property: a deleted endpoint as it was (the DELETE answers no body). */
    public static final String ENDPOINT_GONE = "hookpost.endpointGone";
    private final ObjectMapper json;
    private final JdbcTemplate jdbc;
    private final String opsAccount;
    private final int failingAfterAttempts;

    public OpsEvents(ObjectMapper json, JdbcTemplate jdbc, HookpostProperties properties) {
        this.json = json;
        this.jdbc = jdbc;
        this.opsAccount = properties.ops().accountId();
        this.failingAfterAttempts = properties.ops().failingAfterAttempts();
    }

    /** Queue message for an endpoint just disabled (body: the attempt row with its failure facts), or null. */
    public byte[] endpointDisabled(@Body Map<String, Object> attempt, Exchange exchange) throws JsonProcessingException {
        if (opsAccount.equals(attempt.get("account_id"))) {
            return null;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> delivery = exchange.getProperty(DeliveryProperties.DELIVERY, Map.class);
        OffsetDateTime at = (OffsetDateTime) attempt.get("now");
        // read by the route (read-failing-since) once the endpoint is disabled
        return json.writeValueAsBytes(endpointDisabled(attempt.get("account_id"), attempt.get("endpoint_id"),
                delivery == null ? null : delivery.get("url"), attempt.get("disable_reason"),
                attempt.get("response_status"), attempt.get("error"), at.toInstant(), "automatic",
                exchange.getMessage().getHeader(FAILING_SINCE)));
    }

    /**
     * An {@code endpoint.disabled} event: by its failures ({@code automatic}) or paused by hand ({@code manual});
     * {@code failSince} (as Svix's) when its current run of failed attempts began, null if its last attempt succeeded:
     * the database's timestamp for an automatic one, the API's text for a pause.
     */
    private Map<String, Object> endpointDisabled(Object account, Object endpointId, Object url, Object reason,
                                                 Object lastStatus, Object lastError, Instant at, String trigger,
                                                 Object failSince) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("accountId", account);
        data.put("endpointId", endpointId);
        data.put("url", url);
        data.put("reason", reason);
        data.put("lastResponseStatus", lastStatus);
        data.put("lastError", lastError);
        data.put("disabledAt", DateTimeFormatter.ISO_INSTANT.format(at));
        data.put("trigger", trigger);
        OffsetDateTime since = failSince instanceof String text ? OffsetDateTime.parse(text)
                : DeliveryRequest.toOffsetDateTime(failSince);
        data.put("failSince", since == null ? null : DateTimeFormatter.ISO_INSTANT.format(since));
        return event("endpoint.disabled", "endpoint.disabled:" + endpointId + ":" + at.toEpochMilli(), data);
    }

    /**
     * Queue message for a delivery that has failed {@code hookpost.ops.failing-after-attempts} times (body: the failed
     * attempt), or null: a warning ahead of {@code delivery.exhausted}, once per delivery.
     */
    public byte[] deliveryFailing(@Body Map<String, Object> attempt) throws JsonProcessingException {
        if (opsAccount.equals(attempt.get("account_id"))) {
            return null;
        }
        Map<String, Object> data = aboutDelivery(attempt.get("account_id"), attempt.get("endpoint_id"),
                attempt.get("delivery_id"), attempt.get("attempt_number"), attempt.get("response_status"),
                attempt.get("error"));
        data.put("url", attempt.get("request_url"));
        return message("delivery.failing", "delivery.failing:" + attempt.get("delivery_id"), data);
    }

    /**
     * Whether a successful attempt (body) may end a delivery the operator was told was failing: it comes after the
     * attempt that tells ({@code hookpost.ops.failing-after-attempts}). Asked of every success, so it reads no
     * database: the route then looks for that attempt's failure.
     */
    public boolean mayHaveRecovered(@Body Map<String, Object> attempt) {
        return failingAfterAttempts > 0 && ((Number) attempt.get("attempt_number")).intValue() > failingAfterAttempts
                && !opsAccount.equals(attempt.get("account_id"));
    }

    /**
     * Queue message for a delivery that got through after {@code delivery.failing} was told of it (body: the successful
     * attempt), as Svix's {@code message.attempt.recovered}: once per delivery.
     */
    public byte[] deliveryRecovered(@Body Map<String, Object> attempt) throws JsonProcessingException {
        Map<String, Object> data = aboutDelivery(attempt.get("account_id"), attempt.get("endpoint_id"),
                attempt.get("delivery_id"), attempt.get("attempt_number"), attempt.get("response_status"), null);
        data.put("url", attempt.get("request_url"));
        data.put("trigger", attempt.get("trigger_kind"));
        return message("delivery.recovered", "delivery.recovered:" + attempt.get("delivery_id"), data);
    }

    /** Queue message for a delivery whose schedule ran out (body: the plan of delivery-failed), or null. */
    public byte[] deliveryExhausted(@Body Map<String, Object> plan) throws JsonProcessingException {
        if (opsAccount.equals(plan.get("account_id"))) {
            return null;
        }
        Map<String, Object> data = aboutDelivery(plan.get("account_id"), plan.get("endpoint_id"),
                plan.get("delivery_id"), plan.get("attempts"), plan.get("last_status"), plan.get("last_error"));
        data.put("url", plan.get("url"));
        return message("delivery.exhausted", "delivery.exhausted:" + plan.get("delivery_id") + ":" + plan.get("attempts"), data);
    }

    /** The data delivery.failing, delivery.recovered and delivery.exhausted share. */
    private static Map<String, Object> aboutDelivery(Object account, Object endpoint, Object delivery, Object attempts,
                                                     Object lastStatus, Object lastError) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("accountId", account);
        data.put("endpointId", endpoint);
        data.put("deliveryId", delivery);
        data.put("attempts", attempts);
        data.put("lastResponseStatus", lastStatus);
        data.put("lastError", lastError);
        return data;
    }

    /**
     * Queue messages for the endpoint change an API request made (body: the endpoint as the API shows it, or for a
     * delete the property {@link #ENDPOINT_GONE}): the change, and for a pause an {@code endpoint.disabled} too (as
     * Svix tells of an endpoint disabled by hand); none when it made no change or it is the ops account's own.
     */
    public List<byte[]> endpointChanged(@Body Object answer, @Header("acct") String account, Exchange exchange)
            throws JsonProcessingException {
        String type = exchange.getProperty(ENDPOINT_CHANGE, String.class);
        if (type == null || opsAccount.equals(account)) {
            return List.of();
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> endpoint = (Map<String, Object>) (answer instanceof Map<?, ?> ? answer
                : exchange.getProperty(ENDPOINT_GONE, Map.class));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("accountId", account);
        data.put("endpointId", endpoint.get("id"));
        data.put("url", endpoint.get("url"));
        data.put("description", endpoint.get("description"));
        data.put("active", endpoint.get("active"));
        data.put("disabledReason", endpoint.get("disabledReason"));
        data.put("metadata", endpoint.get("metadata"));
        data.put("updatedAt", endpoint.get("updatedAt"));
        // one event per change: a repeat of the same message (a redelivered send) is a no-op
        Map<String, Object> event = event(type, type + ":" + endpoint.get("id") + ":" + endpoint.get("updatedAt"),
                data);
        event.put("timestamp", endpoint.get("updatedAt"));
        if (!exchange.getProperty(ENDPOINT_PAUSED, false, Boolean.class)) {
            return List.of(json.writeValueAsBytes(event));
        }
        // paused while failing: what its last attempt got, as an automatic disable tells (none after a success)
        Map<String, Object> last = endpoint.get("failingSince") == null ? Map.of() : jdbc.queryForList(
                "SELECT response_status, error FROM attempts WHERE endpoint_id = ? AND succeeded = FALSE"
                        + " ORDER BY created_at DESC LIMIT 1", endpoint.get("id"))
                .stream().findFirst().orElse(Map.of());
        // the pause's time is the change's (the same statement's now)
        Map<String, Object> paused = endpointDisabled(account, endpoint.get("id"), endpoint.get("url"),
                endpoint.get("disabledReason"), last.get("response_status"), last.get("error"),
                Instant.parse((String) endpoint.get("updatedAt")), "manual", endpoint.get("failingSince"));
        paused.put("timestamp", endpoint.get("updatedAt"));
        return List.of(json.writeValueAsBytes(event), json.writeValueAsBytes(paused));
    }

    private byte[] message(String type, String id, Map<String, Object> data) throws JsonProcessingException {
        return json.writeValueAsBytes(event(type, id, data));
    }

    private Map<String, Object> event(String type, String id, Map<String, Object> data) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("account", opsAccount);
        event.put("id", id);
        event.put("type", type);
        event.put("data", data);
        return event;
    }
}

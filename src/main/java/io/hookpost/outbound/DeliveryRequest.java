package io.hookpost.outbound;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookpost.Ids;
import io.hookpost.ops.SecretsAtRest;
import org.apache.camel.Exchange;
import org.apache.camel.component.http.HttpMethods;
import org.apache.camel.Processor;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Step {@code prepare-request}: turns the loaded delivery row (endpoint + event) into the HTTP request of
 * one attempt: exactly the headers of PRODUCT.md's outbound contract, and the stored envelope bytes, in the
 * endpoint's {@link Envelope} shape, as body. Everything the later steps need rides in exchange properties, not in headers.
 */
@Component("deliveryRequest")
public class DeliveryRequest implements Processor {
    public static final String USER_AGENT_PREFIX = "Hookpost/";

    private final ObjectMapper json;
    private final String userAgent;
    private final SecretsAtRest secrets;

    public DeliveryRequest(ObjectMapper json, @Value("${hookpost.version}") String version, SecretsAtRest secrets) {
        this.json = json;
        this.secrets = secrets;
        this.userAgent = USER_AGENT_PREFIX + version;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        @SuppressWarnings("unchecked")
        Map<String, Object> row = exchange.getMessage().getBody(Map.class);
        SignatureScheme scheme = SignatureScheme.fromApiName((String) row.get("signature_scheme"))
                .orElseThrow(() -> new IllegalStateException("unknown scheme " + row.get("signature_scheme")));
        String header = row.get("signature_header") != null ? (String) row.get("signature_header")
                : scheme.defaultHeader();
        Envelope envelope = Envelope.fromApiName((String) row.get("envelope"))
                .orElseThrow(() -> new IllegalStateException("unknown envelope " + row.get("envelope")));

        exchange.setProperty(DeliveryProperties.DELIVERY, row);
        exchange.setProperty(DeliveryProperties.SCHEME, scheme);
        exchange.setProperty(DeliveryProperties.SIGNATURE_HEADER, header);
        exchange.setProperty(DeliveryProperties.SECRETS, validSecrets(row));
        String oauth = secrets.reveal((String) row.get("oauth"));
        exchange.setProperty(DeliveryProperties.OAUTH, oauth == null ? null : json.readValue(oauth, OAuthClient.class));

        Map<String, Object> attempt = new LinkedHashMap<>();
        attempt.put("id", Ids.uuidV7().toString());
        attempt.put("delivery_id", row.get("delivery_id"));
        attempt.put("endpoint_id", row.get("endpoint_id"));
        attempt.put("account_id", row.get("account_id"));
        attempt.put("attempt_number", ((Number) row.get("attempts")).intValue() + 1);
        attempt.put("trigger_kind", row.get("trigger_kind"));
        attempt.put("request_url", row.get("url"));
        attempt.put("request_envelope", envelope.apiName());
        attempt.put("started_nanos", System.nanoTime());
        exchange.setProperty(DeliveryProperties.ATTEMPT, attempt);

        var message = exchange.getMessage();
        message.removeHeaders("*");
        String custom = secrets.reveal((String) row.get("headers"));
        if (custom != null && !custom.isBlank()) {
            json.readValue(custom, new TypeReference<Map<String, String>>() { }).forEach(message::setHeader);
        }
        message.setHeader(Exchange.HTTP_URI, row.get("url"));
        // the enum itself: as the string "POST" camel-http converted it on every attempt (a slow converter lookup)
        message.setHeader(Exchange.HTTP_METHOD, HttpMethods.POST);
        message.setHeader("Content-Type", "application/json");
        message.setHeader("User-Agent", userAgent);
        message.setHeader("X-Webhook-Event", row.get("event_type"));
        message.setHeader("X-Webhook-Delivery", attempt.get("id"));
        message.setHeader("webhook-id", row.get("delivery_id"));
        message.setHeader("webhook-timestamp", Instant.now().getEpochSecond());
        message.setBody(envelope.body((String) row.get("payload")));
    }

    /** The current secret, then each replaced one whose rotation grace period lasts, the most recent first. */
    private List<String> validSecrets(Map<String, Object> row) {
        List<String> valid = new ArrayList<>(2);
        if (row.get("secret") != null) {
            valid.add(secrets.reveal((String) row.get("secret")));
        }
        for (PreviousSecrets.Entry previous : PreviousSecrets.valid(row, OffsetDateTime.now(ZoneOffset.UTC))) {
            valid.add(secrets.reveal(previous.secret()));
        }
        return valid;
    }

    /** A timestamp as JDBC drivers hand it over (H2 and PostgreSQL differ), as an OffsetDateTime; null stays null. */
    public static OffsetDateTime toOffsetDateTime(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof OffsetDateTime o) {
            return o;
        }
        if (value instanceof java.sql.Timestamp t) {
            return t.toInstant().atOffset(ZoneOffset.UTC);
        }
        if (value instanceof Instant i) {
            return i.atOffset(ZoneOffset.UTC);
        }
        throw new IllegalArgumentException("not a timestamp: " + value.getClass());
    }
}

package io.hookpost.outbound;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import io.hookpost.HookpostProperties;
import org.springframework.stereotype.Component;

/**
 * Parameters for claiming deliveries. A claim is a lease ({@code lease_owner} = a fresh token, {@code
 * lease_until}) taken by a conditional UPDATE, which only one worker can win on H2 and PostgreSQL alike; the
 * deliver route sends only while its token still owns the row. An expired lease (a crashed worker) is free
 * to be claimed again.
 */
@Component("deliveryClaims")
public class DeliveryClaims {
    private final HookpostProperties.Delivery settings;

    public DeliveryClaims(HookpostProperties properties) {
        this.settings = properties.delivery();
    }

    /** For the retry scheduler's query of due, unleased deliveries. */
    public Map<String, Object> due() {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("now", OffsetDateTime.now(ZoneOffset.UTC));
        parameters.put("batch", settings.pollBatch());
        return parameters;
    }

    /** A new claim on one delivery (a row of the due query). */
    public Map<String, Object> claim(Map<String, Object> due) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        Map<String, Object> claim = new LinkedHashMap<>();
        claim.put("id", due.get("id"));
        claim.put("lease_owner", newToken());
        claim.put("lease_until", now.plus(settings.lease()));
        claim.put("now", now);
        return claim;
    }

    public OffsetDateTime leaseUntil(OffsetDateTime from) {
        return from.plus(settings.lease());
    }

    public static String newToken() {
        return UUID.randomUUID().toString();
    }
}

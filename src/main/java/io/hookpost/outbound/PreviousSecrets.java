package io.hookpost.outbound;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An endpoint's secrets replaced by rotations with a grace period, each valid (signing beside the current one) until
 * its own grace period ends: {@code previous_secret} (the last one replaced) and {@code older_secrets} (those replaced
 * before it, a JSON array), so a second rotation does not cut short the grace period the first one announced.
 */
public final class PreviousSecrets {
    /** Old secrets kept at most (each adds a signature to every POST); past it the one that ends soonest goes. */
    static final int MAX = 10;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<Map<String, String>>> ENTRIES = new TypeReference<>() { };

    public record Entry(String secret, OffsetDateTime expiresAt) {
    }

    private PreviousSecrets() {
    }

    /** The old secrets of an endpoint row still valid at {@code now}, the most recently replaced first. */
    public static List<Entry> valid(Map<String, Object> row, OffsetDateTime now) {
        List<Entry> valid = new ArrayList<>();
        OffsetDateTime previousUntil = DeliveryRequest.toOffsetDateTime(row.get("previous_secret_expires_at"));
        if (row.get("previous_secret") != null && previousUntil != null && previousUntil.isAfter(now)) {
            valid.add(new Entry((String) row.get("previous_secret"), previousUntil));
        }
        Object older = row.get("older_secrets");
        // only beside a previous secret: a rotation without a grace period clears both, and one by a Hookpost from
        // before older_secrets (migration V8) cleared only the previous secret, which must not bring ended ones back
        if (older != null && row.get("previous_secret") != null) {
            try {
                for (Map<String, String> entry : JSON.readValue((String) older, ENTRIES)) {
                    OffsetDateTime until = OffsetDateTime.parse(entry.get("expiresAt"));
                    if (until.isAfter(now)) {
                        valid.add(new Entry(entry.get("secret"), until));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("older_secrets of an endpoint is not a JSON array", e);
            }
        }
        return valid;
    }

    /**
     * {@code older_secrets} after a rotation with a grace period: the old secrets still valid (the previous one among
     * them, as the current secret becomes the previous one), at most {@link #MAX} - 1; null when there are none.
     */
    public static String afterRotation(Map<String, Object> row, OffsetDateTime now) {
        List<Entry> kept = new ArrayList<>(valid(row, now));
        kept.sort(Comparator.comparing(Entry::expiresAt).reversed());
        if (kept.isEmpty()) {
            return null;
        }
        List<Map<String, String>> entries = new ArrayList<>();
        for (Entry entry : kept.subList(0, Math.min(kept.size(), MAX - 1))) {
            Map<String, String> json = new LinkedHashMap<>();
            json.put("secret", entry.secret());
            json.put("expiresAt", entry.expiresAt().withOffsetSameInstant(ZoneOffset.UTC).toString());
            entries.add(json);
        }
        try {
            return JSON.writeValueAsString(entries);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

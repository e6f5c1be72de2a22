package io.hookpost.api;

import java.io.IOException;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookpost.outbound.EventReader;

/**
 * A client's own key/value pairs on an account or an endpoint (as Svix's application and endpoint metadata): checked
 * as the API takes them, kept as a JSON object of strings (null when empty), shown back, never sent to a receiver.
 */
final class Metadata {
    static final int MAX_ENTRIES = 50;
    static final int MAX_KEY = 100;
    static final int MAX_VALUE = 1000;

    private Metadata() {
    }

    /**
     * The pairs a request sent, checked; empty for none (null: on a PATCH, the pairs are removed; a PATCH's object
     * replaces the pairs, as Svix's does).
     */
    static Map<String, String> check(Map<String, String> metadata) {
        if (metadata == null) {
            return Map.of();
        }
        if (metadata.size() > MAX_ENTRIES) {
            throw ProblemException.badRequest("'metadata' may hold at most " + MAX_ENTRIES + " keys.");
        }
        // lengths in characters (code points), as a client counts them, not Java's UTF-16 units
        for (Map.Entry<String, String> entry : metadata.entrySet()) {
            String key = entry.getKey();
            int keyLength = key.codePointCount(0, key.length());
            if (keyLength == 0 || keyLength > MAX_KEY || key.chars().anyMatch(Character::isISOControl)
                    || EventReader.hasLoneSurrogate(key)) {
                throw ProblemException.badRequest("'metadata' keys are 1 to " + MAX_KEY
                        + " characters without control characters.");
            }
            String value = entry.getValue();
            if (value == null) {
                throw ProblemException.badRequest("'metadata' value of '" + key + "' must be a string"
                        + " (to remove a key, send the object without it).");
            }
            if (value.codePointCount(0, value.length()) > MAX_VALUE || EventReader.hasLoneSurrogate(value)) {
                throw ProblemException.badRequest("'metadata' value of '" + key + "' must be text of at most "
                        + MAX_VALUE + " characters.");
            }
        }
        return metadata;
    }

    /** The column's value: the pairs as a JSON object, null when there are none. */
    static String column(ObjectMapper json, Map<String, String> metadata) throws JsonProcessingException {
        return metadata.isEmpty() ? null : json.writeValueAsString(metadata);
    }

    /** A column holding a JSON object of strings; empty when null. */
    static Map<String, String> read(ObjectMapper json, Object column) {
        try {
            return column == null ? Map.of()
                    : json.readValue((String) column, new TypeReference<Map<String, String>>() { });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

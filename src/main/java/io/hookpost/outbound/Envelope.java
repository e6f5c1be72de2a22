package io.hookpost.outbound;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The shape of the JSON body an endpoint receives. Hookpost keeps each event once, as the standard envelope
 * {@code {id, type, timestamp, data}}; an endpoint may ask for {@code {id, event, timestamp, data}} instead, the type
 * under {@code event}, as Hyprwatch-style receivers read it. The body is made from the stored envelope the same way on
 * every attempt, so it is byte for byte the same while the endpoint keeps its shape, and the data's numbers and text
 * stay exactly as they were sent.
 */
public enum Envelope {
    /** {@code {id, type, timestamp, data}}: the stored envelope as it is. */
    STANDARD("standard"),
    /** {@code {id, event, timestamp, data}}. */
    EVENT("event");

    private final String apiName;

    Envelope(String apiName) {
        this.apiName = apiName;
    }

    public String apiName() {
        return apiName;
    }

    /** null (a row from before endpoints had a shape) is the standard one. */
    public static Optional<Envelope> fromApiName(String name) {
        return name == null ? Optional.of(STANDARD)
                : Arrays.stream(values()).filter(e -> e.apiName.equals(name)).findFirst();
    }

    public static String names() {
        return String.join(", ", Arrays.stream(values()).map(Envelope::apiName).toList());
    }

    /** The body of this shape, from the stored standard envelope. */
    public byte[] body(String stored) {
        if (this == STANDARD) {
            return stored.getBytes(StandardCharsets.UTF_8);
        }
        try {
            ObjectNode standard = (ObjectNode) EventReader.EXACT_JSON.readTree(stored);
            ObjectNode shaped = EventReader.EXACT_JSON.createObjectNode();
            shaped.set("id", standard.get("id"));
            shaped.set("event", standard.get("type"));
            shaped.set("timestamp", standard.get("timestamp"));
            shaped.set("data", standard.get("data"));
            return EventReader.EXACT_JSON.writeValueAsBytes(shaped);
        } catch (IOException e) {
            throw new UncheckedIOException("a stored envelope that is not JSON", e);
        }
    }

    /** As {@link #body} for a stored envelope's text; the API shows an attempt's body so. */
    public String text(String stored) {
        return this == STANDARD ? stored : new String(body(stored), StandardCharsets.UTF_8);
    }
}

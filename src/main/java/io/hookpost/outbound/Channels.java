package io.hookpost.outbound;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookpost.api.ProblemException;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.springframework.stereotype.Component;

/**
 * Channels, as Svix's: names an event is published to ({@code "channels": ["project_123"]}) and an endpoint listens
 * on, a second dimension of subscription beside event types, for the recipients within an account (a project, a
 * team). An endpoint without channels gets the events of its types whatever their channels; one with channels only
 * those published to at least one of them, so not those published to none. Kept in a column as the names separated
 * by single spaces (a name holds none), null for none. Step {@code match-channels} of the fan-out drops the
 * endpoints an event's channels leave out; replay-missing asks the same.
 */
@Component("channels")
public class Channels {
    /** Channels an event or an endpoint may have: Svix's bounds. */
    static final int MAX = 10;
    static final int MAX_LENGTH = 128;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:\\-]{1," + MAX_LENGTH + "}");
    public static final String NAME_RULE = "1 to " + MAX_LENGTH + " letters, digits, '-', '_', '.' and ':'";
    static final String RULE = "'channels' is a list of at most " + MAX + " names of " + NAME_RULE
            + ", such as [\"project_123\"].";

    /** Whether {@code name} may be a channel's. */
    public static boolean isName(String name) {
        return NAME.matcher(name).matches();
    }

    /**
     * An event's {@code channels} (a JSON array of names; absent or null for none), checked: the column's text, or
     * null for none. A name given twice counts once.
     */
    public static String check(JsonNode channels, Function<String, RuntimeException> invalid) {
        if (channels == null || channels.isNull()) {
            return null;
        }
        if (!channels.isArray()) {
            throw invalid.apply(RULE);
        }
        List<String> names = new ArrayList<>(channels.size());
        for (JsonNode name : channels) {
            if (!name.isTextual()) {
                throw invalid.apply(RULE);
            }
            names.add(name.textValue());
        }
        return column(names, invalid);
    }

    /** An endpoint request's {@code channels}, checked (400 when wrong): the column's text, or null for none. */
    public static String check(List<String> channels) {
        return channels == null ? null : column(channels, ProblemException::badRequest);
    }

    private static String column(List<String> names, Function<String, RuntimeException> invalid) {
        Set<String> distinct = new LinkedHashSet<>();
        for (String name : names) {
            if (name == null || !isName(name)) {
                throw invalid.apply(RULE + (name == null ? "" : " Got \"" + shortened(name) + "\"."));
            }
            distinct.add(name);
        }
        if (distinct.size() > MAX) {
            throw invalid.apply(RULE + " Got " + distinct.size() + ".");
        }
        return distinct.isEmpty() ? null : String.join(" ", distinct);
    }

    private static String shortened(String name) {
        return name.length() <= MAX_LENGTH + 2 ? name : name.substring(0, MAX_LENGTH) + "…";
    }

    /** The names a column holds, in the order given; empty for none. */
    public static List<String> list(Object column) {
        return column == null ? List.of() : List.of(((String) column).split(" "));
    }

    /** Whether an event published to {@code eventChannels} goes to an endpoint on {@code endpointChannels}. */
    public static boolean matches(Object endpointChannels, Object eventChannels) {
        if (endpointChannels == null) {
            return true;
        }
        if (eventChannels == null) {
            return false;
        }
        List<String> published = list(eventChannels);
        for (String channel : list(endpointChannels)) {
            if (published.contains(channel)) {
                return true;
            }
        }
        return false;
    }

    /** Step {@code match-channels}: the subscribed endpoints that listen on one of the event's channels, or on none. */
    public List<Map<String, Object>> select(@Body List<Map<String, Object>> endpoints,
                                            @ExchangeProperty("hookpost.event") Map<String, Object> event) {
        Object published = event.get("channels");
        List<Map<String, Object>> selected = null; // the same list, as a rule: no endpoint has channels
        for (int i = 0; i < endpoints.size(); i++) {
            Map<String, Object> endpoint = endpoints.get(i);
            boolean matches = matches(endpoint.get("channels"), published);
            if (!matches && selected == null) {
                selected = new ArrayList<>(endpoints.subList(0, i));
            } else if (matches && selected != null) {
                selected.add(endpoint);
            }
        }
        return selected == null ? endpoints : selected;
    }
}

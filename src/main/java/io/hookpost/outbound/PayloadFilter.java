package io.hookpost.outbound;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.InvalidPathException;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.JsonPathException;
import com.jayway.jsonpath.Option;
import com.jayway.jsonpath.PathNotFoundException;
import com.jayway.jsonpath.spi.json.JacksonJsonProvider;
import com.jayway.jsonpath.spi.mapper.JacksonMappingProvider;
import io.hookpost.api.ProblemException;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * An endpoint's optional payload filter: a JSONPath expression (Jayway json-path) evaluated against the event
 * envelope {@code {id, type, timestamp, data}}. The event matches when the expression selects at least one
 * value, so a filter expression on the envelope tests a condition and a plain path tests that a field exists:
 * <pre>
 *   $[?(@.data.severity in ['high', 'critical'])]     severity is high or critical
 *   $[?(@.data.status == 'open')]                      equality
 *   $.data.assetId                                     the field exists (even when null)
 * </pre>
 * Step {@code apply-payload-filters} of the fan-out drops the endpoints whose filter does not match, so they
 * get no delivery. Expressions are checked when saved ({@link #check}) and compiled once.
 */
@Component("payloadFilter")
public class PayloadFilter {
    private static final Logger LOG = LoggerFactory.getLogger(PayloadFilter.class);
    /** The endpoints.filter_expression column. */
    static final int MAX_LENGTH = 4000;
    private static final int MAX_CACHED = 10_000;
    /** Deep scans ({@code ..}) a filter may hold: see {@link #deepScans}. */
    static final int MAX_DEEP_SCANS = 1;
    private static final String EXAMPLE = "$[?(@.data.severity in ['high', 'critical'])]";
    /**
     * Every result as a list, so "selects something" is "the list is not empty"; a missing field selects nothing.
     * Numbers read exact, by the mapper events are read with ({@link EventReader#EXACT_JSON}): read as doubles,
     * {@code 1e400} became infinity, which JsonPath's comparison cannot take (the filter failed, the event was missed),
     * and {@code 5.0000000000000000001} was 5.
     */
    private static final Configuration MATCHING = Configuration.builder()
            .jsonProvider(new JacksonJsonProvider(EventReader.EXACT_JSON))
            .mappingProvider(new JacksonMappingProvider())
            .options(Option.ALWAYS_RETURN_LIST, Option.SUPPRESS_EXCEPTIONS)
            .build();
    private static final Configuration CHECKING = MATCHING.setOptions(Option.ALWAYS_RETURN_LIST);
    private static final Object SAMPLE = CHECKING.jsonProvider().parse(
            "{\"id\":\"evt_sample\",\"type\":\"sample.event\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"data\":{}}");
    private static final Map<String, JsonPath> COMPILED = new ConcurrentHashMap<>();
    private static final java.util.Set<String> REFUSED = ConcurrentHashMap.newKeySet();

    /**
     * Checks an API request's {@code filter} and returns what to store: null for none, else the expression.
     * Used by endpoint create and update.
     *
     * @throws ProblemException 400 with what is wrong
     */
    public static String check(JsonNode filter) {
        if (filter == null || filter.isNull()) {
            return null;
        }
        if (!filter.isTextual()) {
            throw ProblemException.badRequest("'filter' must be a JSONPath expression (a string) such as \""
                    + EXAMPLE + "\".");
        }
        String expression = filter.asText().strip();
        if (expression.isEmpty()) {
            return null;
        }
        if (expression.length() > MAX_LENGTH) {
            throw ProblemException.badRequest("'filter' may be at most " + MAX_LENGTH + " characters.");
        }
        if (!expression.startsWith("$")) {
            throw ProblemException.badRequest("'filter' must be a JSONPath expression on the event"
                    + " {id, type, timestamp, data}, starting with '$', such as \"" + EXAMPLE + "\".");
        }
        if (deepScans(expression) > MAX_DEEP_SCANS) {
            throw ProblemException.badRequest("'filter' may hold at most one deep scan ('..'): each more multiplies the"
                    + " work per event by its size (\"$..*..*\" on a deeply nested event would take the whole heap).");
        }
        try {
            JsonPath.compile(expression).read(SAMPLE, CHECKING);
        } catch (PathNotFoundException fine) {
            // the sample event has no such field: a real one may
        } catch (InvalidPathException e) {
            throw ProblemException.badRequest("'filter' is not a valid JSONPath expression: "
                    + ProblemException.plain(e.getMessage()) + ". Example: \"" + EXAMPLE + "\".");
        } catch (JsonPathException | IllegalArgumentException e) {
            String reason = e.getMessage() != null && e.getMessage().contains("path functions")
                    ? "a filter selects values, so functions such as length() may only appear inside [?( )]"
                    : ProblemException.plain(e.getMessage());
            throw ProblemException.badRequest("'filter' cannot be used: " + reason + ".");
        }
        return expression;
    }

    /**
     * Step {@code apply-payload-filters}: the subscribed endpoints (rows with {@code filter_expression}) whose
     * filter matches the event (the event row with its envelope as {@code payload}).
     */
    public List<Map<String, Object>> select(@Body List<Map<String, Object>> endpoints,
                                            @ExchangeProperty("hookpost.event") Map<String, Object> event) {
        Object envelope = null;
        List<Map<String, Object>> selected = new ArrayList<>(endpoints.size());
        for (Map<String, Object> endpoint : endpoints) {
            String expression = (String) endpoint.get("filter_expression");
            if (expression != null) {
                if (envelope == null) {
                    envelope = MATCHING.jsonProvider().parse((String) event.get("payload"));
                }
                if (!matches(expression, envelope, endpoint.get("endpoint_id"))) {
                    continue;
                }
            }
            selected.add(endpoint);
        }
        return selected;
    }

    static boolean matches(String expression, Object envelope, Object endpointId) {
        if (deepScans(expression) > MAX_DEEP_SCANS) {
            // saved before such filters were refused: selects nothing, said once per filter, not once per event
            if (REFUSED.add(expression)) {
                LOG.warn("Payload filter of endpoint {} holds more than one deep scan ('..'), refused since it was"
                        + " saved: it selects nothing until it is changed", endpointId);
            }
            return false;
        }
        try {
            Object result = compiled(expression).read(envelope, MATCHING);
            return result instanceof List<?> list && !list.isEmpty();
        } catch (RuntimeException e) {
            // checked when saved, so not expected; the endpoint did ask to be sent only what matches
            LOG.warn("Payload filter of endpoint {} failed, treated as not matching: {}", endpointId, e.toString());
            return false;
        }
    }

    /**
     * The deep scans ({@code ..}) outside quoted strings. One visits each value of the event once; each further one
     * visits every value under each value the one before selected, so the work grows with a power of the event's size.
     * JSONPath libraries have no evaluation budget to set, hence the count.
     */
    static int deepScans(String expression) {
        int scans = 0;
        char quote = 0;
        for (int i = 0; i < expression.length(); i++) {
            char c = expression.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '.' && i + 1 < expression.length() && expression.charAt(i + 1) == '.') {
                scans++;
                i++;
            }
        }
        return scans;
    }

    private static JsonPath compiled(String expression) {
        JsonPath path = COMPILED.get(expression);
        if (path == null) {
            path = JsonPath.compile(expression);
            if (COMPILED.size() >= MAX_CACHED) {
                COMPILED.clear(); // filters of changed or deleted endpoints; live ones compile again on use
            }
            COMPILED.put(expression, path);
        }
        return path;
    }
}

package io.hookpost.outbound;

import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaException;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.resource.AllowSchemaLoader;
import io.hookpost.HookpostProperties;
import io.hookpost.api.ProblemException;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The event catalog's JSON schemas (networknt json-schema-validator): step {@code check-data-schema} of the
 * ingest route (a violating event gets 422) and of the fan-out (a violating queued event is parked), and the
 * check that a schema given to the catalog is itself a valid JSON Schema. A type without a schema, or not in
 * the catalog, accepts any {@code data} object.
 *
 * <p>Each type's schema, or its having none, is read from the catalog at most every {@code hookpost.events.schema-refresh}
 * rather than for every event (a query per event was a tenth of the ingest's CPU); {@link #forget} makes a type added
 * through this instance apply at once. Schemas are compiled once per schema text, so a changed catalog entry simply
 * compiles anew. Only the
 * standard meta-schemas bundled with the library can be loaded: a {@code $ref} or {@code $schema} naming any
 * other address is refused, so a schema never makes Hookpost fetch a URL.
 */
@Component("eventSchemas")
public class EventSchemas {
    /** Draft 2020-12 unless the schema names another draft in {@code $schema}. */
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
            builder -> builder.schemaLoaders(loaders -> loaders.add(
                    new AllowSchemaLoader(iri -> iri.toString().startsWith("classpath:")))));
    /**
     * English messages, as every other problem detail: the library would write them in the JVM's default language
     * (Turkish, German, Japanese …), so the same request would get another answer on another server.
     */
    @SuppressWarnings("deprecation") // the constructor holds the defaults getSchema(node) uses ($.a paths, nullable)
    private static final SchemaValidatorsConfig MESSAGES_IN_ENGLISH = SchemaValidatorsConfig.builder(
            new SchemaValidatorsConfig()).locale(Locale.ENGLISH).build();
    private static final int MAX_CACHED = 1000;
    private static final int MAX_REPORTED = 5;

    /** Exact numbers, as the event reader reads them, so {@code multipleOf} and bounds compare exactly. */
    private final ObjectMapper json = JsonMapper.builder()
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();
    private final Map<String, JsonSchema> compiled = new ConcurrentHashMap<>();
    /** Schema text by type name; empty for a type without one or not in the catalog. */
    private final LoadingCache<String, Optional<String>> schemaOfType;

    public EventSchemas(JdbcTemplate jdbc, HookpostProperties properties) {
        this.schemaOfType = Caffeine.newBuilder()
                .maximumSize(MAX_CACHED)
                .expireAfterWrite(properties.events().schemaRefresh())
                .build(type -> jdbc.queryForList("SELECT json_schema FROM event_types WHERE name = ?", String.class, type)
                        .stream().filter(Objects::nonNull).findFirst());
    }

    /** The catalog has changed this type: its next event reads it again. */
    public void forget(String type) {
        schemaOfType.invalidate(type);
    }

    /**
     * Checks that {@code schema} is a JSON Schema (valid against its draft's meta-schema, and compilable) and
     * returns the text to store, or null when there is none.
     */
    public String checkSchema(JsonNode schema) {
        if (schema == null || schema.isNull()) {
            return null;
        }
        if (!schema.isObject() && !schema.isBoolean()) {
            throw ProblemException.badRequest("'schema' must be a JSON Schema: an object such as"
                    + " {\"type\": \"object\", \"required\": [\"host\"]} (or true, any data, or false, none).");
        }
        checkNumbers(schema);
        String text = schema.toString();
        JsonSchema compiledSchema;
        try {
            compiledSchema = compile(text);
        } catch (JsonSchemaException | IllegalArgumentException e) {
            throw ProblemException.badRequest("'schema' is not a valid JSON Schema: "
                    + ProblemException.plain(e.getMessage()));
        }
        JsonMetaSchema dialect = compiledSchema.getValidationContext().getMetaSchema();
        Set<ValidationMessage> problems = FACTORY.getSchema(SchemaLocation.of(dialect.getIri()), MESSAGES_IN_ENGLISH)
                .validate(schema);
        if (!problems.isEmpty()) {
            throw ProblemException.badRequest("'schema' is not a valid JSON Schema (" + dialect.getIri() + "): "
                    + describe(problems));
        }
        try {
            for (JsonNode probe : PROBES) {
                compiledSchema.validate(probe);
            }
        } catch (StackOverflowError endless) {
            // a $ref cycle that reads no deeper into the data ({"$ref": "#"}) never ends: every event of the type
            // would fail. Caught here, on one bounded call into the validator, to say so before it is saved
            throw ProblemException.badRequest("'schema' refers to itself without end (a $ref cycle that goes no"
                    + " deeper into the data), so no event could be checked against it.");
        }
        return text;
    }

    /** One value of each JSON kind, to run a new schema once before it is saved. */
    private static final List<JsonNode> PROBES = List.of(JsonNodeFactory.instance.objectNode(),
            JsonNodeFactory.instance.arrayNode(), JsonNodeFactory.instance.textNode(""),
            JsonNodeFactory.instance.numberNode(0), JsonNodeFactory.instance.booleanNode(true),
            JsonNodeFactory.instance.nullNode());

    /** Keywords the validator reads as a Java int: a larger value wrapped around (2^32 + 1 became 1). */
    private static final Set<String> COUNTS = Set.of("minLength", "maxLength", "minItems", "maxItems",
            "minProperties", "maxProperties", "minContains", "maxContains");

    /**
     * Numbers the validator would not read as written: beyond a double (1e400 became Infinity, then a 500 or a check
     * against "Infinity"), or a count beyond an int.
     */
    private static void checkNumbers(JsonNode node) {
        if (node.isObject()) {
            for (var fields = node.fields(); fields.hasNext(); ) {
                var field = fields.next();
                JsonNode value = field.getValue();
                if (COUNTS.contains(field.getKey()) && value.isNumber() && !value.canConvertToInt()) {
                    throw ProblemException.badRequest("'schema' keyword '" + field.getKey() + "' must be at most "
                            + Integer.MAX_VALUE + ".");
                }
                checkNumbers(value);
            }
        } else if (node.isArray()) {
            node.forEach(EventSchemas::checkNumbers);
        } else if (node.isNumber() && !Double.isFinite(node.doubleValue())) {
            throw ProblemException.badRequest("'schema' holds a number too large to use (such as 1e400).");
        }
    }

    /** Step {@code check-data-schema} of the ingest route, on the envelope {@code validate-event} read. */
    public void checkRequest(@ExchangeProperty(EventReader.ENVELOPE) JsonNode event) {
        String violations = violations(event.get("type").asText(), event.get("data"));
        if (violations != null) {
            throw ProblemException.unprocessable(violations);
        }
    }

    /** Step {@code check-data-schema} of the fan-out; body: the event row with its envelope as payload. */
    public void checkQueued(@Body Map<String, Object> event) throws IOException {
        JsonNode envelope = json.readTree((String) event.get("payload"));
        String violations = violations((String) event.get("type"), envelope.get("data"));
        if (violations != null) {
            throw new EventReader.InvalidEventException(violations);
        }
    }

    /** What is wrong with {@code data} for this type, or null when its type has no schema or it matches. */
    String violations(String type, JsonNode data) {
        Optional<String> schema = schemaOfType.get(type);
        return schema.isEmpty() ? null : violations(schema.get(), type, data, "data");
    }

    /**
     * An event type's example against its schema (text as {@link #checkSchema} returned it, or null for none), before
     * either is saved: a 400 naming what does not match, since the example is what a test of the type sends.
     */
    public void checkExample(String schema, String type, String example) throws IOException {
        String violations = schema == null || example == null ? null
                : violations(schema, type, json.readTree(example), "example");
        if (violations != null) {
            throw ProblemException.badRequest(violations);
        }
    }

    private String violations(String schema, String type, JsonNode data, String field) {
        Set<ValidationMessage> problems;
        try {
            problems = compile(schema).validate(data);
        } catch (StackOverflowError endless) {
            // a schema saved before such schemas were refused ({"$ref": "#"}): the event cannot be checked
            return "the schema of event type '" + type + "' refers to itself without end, so no event of the type can"
                    + " be checked; an operator must replace it (PATCH /api/v1/event-types/" + type + ").";
        }
        if (problems.isEmpty()) {
            return null;
        }
        return "'" + field + "' does not match the schema of event type '" + type + "' ($ is '" + field + "'): "
                + describe(problems);
    }

    private JsonSchema compile(String text) {
        JsonSchema schema = compiled.get(text);
        if (schema == null) {
            try {
                schema = FACTORY.getSchema(json.readTree(text), MESSAGES_IN_ENGLISH);
            } catch (IOException e) {
                throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
            }
            schema.initializeValidators(); // a bad $ref or pattern fails here, not on the first event
            if (compiled.size() >= MAX_CACHED) {
                compiled.clear(); // schemas of entries that changed; the live ones compile again on use
            }
            compiled.put(text, schema);
        }
        return schema;
    }

    private static String describe(Set<ValidationMessage> problems) {
        Set<String> messages = problems.stream().map(problem -> ProblemException.plain(problem.getMessage()))
                .collect(Collectors.toCollection(LinkedHashSet::new));
        String shown = messages.stream().limit(MAX_REPORTED).collect(Collectors.joining("; "));
        return messages.size() > MAX_REPORTED ? shown + "; and " + (messages.size() - MAX_REPORTED) + " more" : shown;
    }
}

package io.hookpost.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookpost.outbound.EventReader;
import io.hookpost.outbound.EventSchemas;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The event-type catalog, shared by all accounts: every key may read it, operators add to it and change it. A type's
 * category is what endpoints subscribe to with {@code categories}; its optional JSON schema checks the
 * {@code data} of its events; its optional example is the data a test of the type sends
 * ({@code POST …/endpoints/{id}/test}) and what the portal's catalog shows.
 */
@Component("eventTypeApi")
public class EventTypeApi {
    public record CreateEventType(String name, String category, String description, JsonNode schema,
                                  JsonNode example) {
    }

    /** A PATCH: the fields of a new type, and whether it is archived. */
    public record ChangeEventType(String name, String category, String description, JsonNode schema,
                                  JsonNode example, Boolean archived) {
    }

    private final JdbcTemplate jdbc;
    private final RequestBodies bodies;
    private final EventSchemas schemas;
    private final EventReader events;
    private final ObjectMapper json;

    public EventTypeApi(JdbcTemplate jdbc, RequestBodies bodies, EventSchemas schemas, EventReader events,
                        ObjectMapper json) {
        this.jdbc = jdbc;
        this.bodies = bodies;
        this.schemas = schemas;
        this.events = events;
        this.json = json;
    }

    /** The catalog by name; archived types only with {@code includeArchived=true}. */
    public List<Map<String, Object>> list(@Header("includeArchived") String includeArchived) {
        boolean archivedToo = flag("includeArchived", includeArchived);
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT * FROM event_types"
                + (archivedToo ? "" : " WHERE archived_at IS NULL") + " ORDER BY name");
        List<Map<String, Object>> views = new ArrayList<>(rows.size());
        for (Map<String, Object> row : rows) {
            views.add(view(row));
        }
        return views;
    }

    public Map<String, Object> get(@Header("typeName") String name) {
        return view(row(name, false));
    }

    public Map<String, Object> create(@Body byte[] body, Exchange exchange) throws IOException {
        ApiAccess.requireOperator(exchange);
        CreateEventType request = bodies.read(body, CreateEventType.class);
        String name = request.name();
        if (name == null || !EventReader.isType(name)) {
            throw ProblemException.badRequest((name == null ? "'name' is required: " : "'name' must be ")
                    + "an event type such as 'host.offline' (letters, digits, '_' and '-' in dot-separated parts, at"
                    + " most " + EventReader.TYPE_MAX + " characters; no wildcards).");
        }
        checkCategory(request.category());
        checkDescription(request.description());
        String schema = schemas.checkSchema(request.schema());
        String example = example(body, name, schema);
        OffsetDateTime now = Views.now();
        try {
            jdbc.update("INSERT INTO event_types (name, category, description, json_schema, example, created_at)"
                    + " VALUES (?, ?, ?, ?, ?, ?)", name, request.category(), request.description(), schema, example, now);
        } catch (DuplicateKeyException e) {
            boolean archived = row(name, false).get("archived_at") != null;
            throw ProblemException.conflict("The event type '" + name + "' already exists" + (archived
                    ? ", archived; PATCH /api/v1/event-types/" + name + " with {\"archived\": false} brings it back."
                    : "; change it with PATCH /api/v1/event-types/" + name + "."));
        }
        schemas.forget(name);
        return view(row(name, false));
    }

    /**
     * {@code PATCH}: changes the fields present in the body ({@code null} clears one); the name stays. A new schema
     * applies to events published from then on (on other instances within {@code hookpost.events.schema-refresh});
     * the example, new or kept, must match the schema, new or kept.
     */
    @Transactional
    public Map<String, Object> update(@Header("typeName") String name, @Body byte[] body, Exchange exchange)
            throws IOException {
        ApiAccess.requireOperator(exchange);
        // locked: a concurrent PATCH or DELETE waits, so neither writes back a field the other has just changed
        Map<String, Object> row = row(name, true);
        ChangeEventType request = bodies.read(body, ChangeEventType.class);
        Set<String> present = new LinkedHashSet<>();
        json.readTree(body).fieldNames().forEachRemaining(present::add);
        if (present.contains("name") && !name.equals(request.name())) {
            throw ProblemException.badRequest("'name' cannot change: add a type under the new name instead.");
        }
        String category = (String) row.get("category");
        if (present.contains("category")) {
            category = checkCategory(request.category());
        }
        String description = (String) row.get("description");
        if (present.contains("description")) {
            description = checkDescription(request.description());
        }
        String schema = present.contains("schema") ? schemas.checkSchema(request.schema()) : (String) row.get("json_schema");
        String example = present.contains("example") ? example(body, name, schema) : (String) row.get("example");
        if (!present.contains("example")) {
            schemas.checkExample(schema, name, example);
        }
        if (present.contains("archived") && request.archived() == null) {
            throw ProblemException.badRequest("'archived' must be true or false.");
        }
        Object archivedAt = row.get("archived_at");
        if (present.contains("archived")) {
            archivedAt = !request.archived() ? null : archivedAt != null ? archivedAt : Views.now();
        }
        jdbc.update("UPDATE event_types SET category = ?, description = ?, json_schema = ?, example = ?, archived_at = ?"
                + " WHERE name = ?", category, description, schema, example, archivedAt, name);
        schemas.forget(name);
        return view(row(name, false));
    }

    /**
     * {@code DELETE}: archives the type: it leaves the list and the portal, its events are still accepted and delivered
     * (Svix refuses them; Hookpost takes any type, catalogued or not, so archiving only takes it out of sight), and
     * {@code PATCH {"archived": false}} brings it back. Archiving an archived type changes nothing. With
     * {@code expunge=true} (as Svix's) the type leaves the catalog for good, archived or not: its schema and example
     * are gone and its name can be created afresh; its events, and endpoints' subscriptions to it, stay as they are.
     */
    public void archive(@Header("typeName") String name, @Header("expunge") String expunge, Exchange exchange) {
        ApiAccess.requireOperator(exchange);
        boolean forGood = flag("expunge", expunge);
        row(name, false);
        if (forGood) {
            jdbc.update("DELETE FROM event_types WHERE name = ?", name);
            schemas.forget(name);
        } else {
            jdbc.update("UPDATE event_types SET archived_at = ? WHERE name = ? AND archived_at IS NULL", Views.now(),
                    name);
        }
    }

    /** A query parameter that is true or false (absent: false); 400 otherwise. */
    private static boolean flag(String name, String value) {
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true")) {
            return true;
        }
        throw ProblemException.badRequest("'" + name + "' must be true or false.");
    }

    private Map<String, Object> row(String name, boolean lock) {
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT * FROM event_types WHERE name = ?"
                + (lock ? " FOR UPDATE" : ""), name);
        if (rows.isEmpty()) {
            throw ProblemException.notFound("No event type '" + name + "' in the catalog.");
        }
        return rows.get(0);
    }

    private static String checkCategory(String category) {
        if (category != null && (category.isBlank() || category.length() > 200)) {
            throw ProblemException.badRequest("'category' is a name of 1 to 200 characters, not only spaces.");
        }
        return category;
    }

    private static String checkDescription(String description) {
        if (description != null && description.length() > 1000) {
            throw ProblemException.badRequest("'description' may be at most 1000 characters.");
        }
        return description;
    }

    /**
     * The request's {@code example} as text to keep, read again with exact numbers (the strict binding reads them as
     * doubles), checked as an event's data and against the type's schema; null when there is none.
     */
    private String example(byte[] body, String name, String schema) throws IOException {
        JsonNode example = EventReader.readExact(body).get("example");
        if (example == null || example.isNull()) {
            return null;
        }
        String text = events.dataText(example, "example");
        schemas.checkExample(schema, name, text);
        return text;
    }

    private Map<String, Object> view(Map<String, Object> row) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", row.get("name"));
        view.put("category", row.get("category"));
        view.put("description", row.get("description"));
        try {
            String schema = (String) row.get("json_schema");
            view.put("schema", schema == null ? null : json.readTree(schema));
            String example = (String) row.get("example");
            view.put("example", example == null ? null : EventReader.readExact(example.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        view.put("createdAt", instant(row.get("created_at")));
        view.put("archivedAt", instant(row.get("archived_at")));
        return view;
    }

    private static String instant(Object value) {
        if (value instanceof OffsetDateTime o) {
            return DateTimeFormatter.ISO_INSTANT.format(o);
        }
        if (value instanceof java.sql.Timestamp t) {
            return DateTimeFormatter.ISO_INSTANT.format(t.toInstant());
        }
        return value == null ? null : value.toString();
    }
}

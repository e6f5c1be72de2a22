package io.hookpost.api;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookpost.outbound.EventReader;
import io.hookpost.outbound.EventSchemas;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The event-type catalog, shared by all accounts: every key may read it, operators add to it. A type's
 * category is what endpoints subscribe to with {@code categories}; its optional JSON schema checks the
 * {@code data} of its events.
 */
@Component("eventTypeApi")
public class EventTypeApi {
    /** Dot-separated names such as 'host.offline'; no wildcards (those are for subscriptions). */

    public record CreateEventType(String name, String category, String description, JsonNode schema) {
    }

    private final JdbcTemplate jdbc;
    private final RequestBodies bodies;
    private final EventSchemas schemas;
    private final ObjectMapper json;

    public EventTypeApi(JdbcTemplate jdbc, RequestBodies bodies, EventSchemas schemas, ObjectMapper json) {
        this.jdbc = jdbc;
        this.bodies = bodies;
        this.schemas = schemas;
        this.json = json;
    }

    public List<Map<String, Object>> list() {
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT * FROM event_types ORDER BY name");
        List<Map<String, Object>> views = new ArrayList<>(rows.size());
        for (Map<String, Object> row : rows) {
            views.add(view(row));
        }
        return views;
    }

    public Map<String, Object> create(@Body byte[] body, Exchange exchange) throws IOException {
        ApiAccess.requireOperator(exchange);
        CreateEventType request = bodies.read(body, CreateEventType.class);
        String name = request.name();
        if (name == null || name.length() > EventReader.TYPE_MAX || !EventReader.TYPE.matcher(name).matches()) {
            throw ProblemException.badRequest("'name' is required: an event type such as 'host.offline' (letters,"
                    + " digits, '_' and '-' in dot-separated parts, at most 200 characters).");
        }
        if (request.category() != null && (request.category().isBlank() || request.category().length() > 200)) {
            throw ProblemException.badRequest("'category' is a name of 1 to 200 characters.");
        }
        if (request.description() != null && request.description().length() > 1000) {
            throw ProblemException.badRequest("'description' may be at most 1000 characters.");
        }
        String schema = schemas.checkSchema(request.schema());
        OffsetDateTime now = Views.now();
        try {
            jdbc.update("INSERT INTO event_types (name, category, description, json_schema, created_at)"
                    + " VALUES (?, ?, ?, ?, ?)", name, request.category(), request.description(), schema, now);
        } catch (DuplicateKeyException e) {
            throw ProblemException.conflict("The event type '" + name + "' already exists.");
        }
        schemas.forget(name);
        return view(jdbc.queryForMap("SELECT * FROM event_types WHERE name = ?", name));
    }

    private Map<String, Object> view(Map<String, Object> row) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", row.get("name"));
        view.put("category", row.get("category"));
        view.put("description", row.get("description"));
        try {
            String schema = (String) row.get("json_schema");
            view.put("schema", schema == null ? null : json.readTree(schema));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        view.put("createdAt", instant(row.get("created_at")));
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

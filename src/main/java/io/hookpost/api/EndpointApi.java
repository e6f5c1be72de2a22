package io.hookpost.api;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookpost.HookpostProperties;
import io.hookpost.Ids;
import io.hookpost.outbound.PayloadFilter;
import io.hookpost.outbound.RetrySchedule;
import io.hookpost.outbound.SignatureScheme;
import io.hookpost.outbound.SsrfGuard;
import io.hookpost.outbound.WebhookSigner;
import org.apache.camel.Body;
import org.apache.camel.Header;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** Endpoints of an account: create, list, get. */
@Component("endpointApi")
public class EndpointApi {
    /** An exact type, '*', or a prefix wildcard such as 'host.*'. */
    private static final Pattern TYPE_PATTERN =
            Pattern.compile("\\*|[A-Za-z0-9][A-Za-z0-9_\\-]*(\\.[A-Za-z0-9_\\-]+)*(\\.\\*)?");
    private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~\\-]{1,100}");
    /** Set by Hookpost on every request, so an endpoint may not override them. */
    private static final Set<String> RESERVED_HEADERS = Set.of("content-type", "content-length", "user-agent",
            "host", "connection", "transfer-encoding", "keep-alive", "upgrade", "te", "trailer", "expect",
            "proxy-authorization", "x-webhook-event", "x-webhook-delivery", "x-webhook-signature",
            "webhook-id", "webhook-timestamp", "webhook-signature");

    public record CreateEndpoint(String url, List<String> eventTypes, List<String> categories, JsonNode filter,
                                 String signatureScheme, String signatureHeader, Map<String, String> headers,
                                 List<String> retrySchedule, Integer disableAfterFailures, String description,
                                 Boolean active, String secret) {
    }

    private final JdbcTemplate jdbc;
    private final RequestBodies bodies;
    private final SsrfGuard guard;
    private final ObjectMapper json;
    private final HookpostProperties properties;

    public EndpointApi(JdbcTemplate jdbc, RequestBodies bodies, SsrfGuard guard, ObjectMapper json,
                       HookpostProperties properties) {
        this.jdbc = jdbc;
        this.bodies = bodies;
        this.guard = guard;
        this.json = json;
        this.properties = properties;
    }

    @Transactional
    public Map<String, Object> create(@Header("acct") String account, @Body byte[] body) throws IOException {
        CreateEndpoint request = bodies.read(body, CreateEndpoint.class);
        String url = checkUrl(request.url());
        List<String> types = checkTypes(request.eventTypes());
        List<String> categories = checkCategories(request.categories());
        if (types.isEmpty() && categories.isEmpty()) {
            types = List.of("*"); // no filter: every event of the account, stated explicitly
        }
        String filter = PayloadFilter.check(request.filter());
        SignatureScheme scheme = request.signatureScheme() == null ? SignatureScheme.STANDARD_WEBHOOKS
                : SignatureScheme.fromApiName(request.signatureScheme()).orElseThrow(() -> ProblemException.badRequest(
                        "'signatureScheme' must be one of standard-webhooks, hmac-sha256-hex, hmac-sha256-base64, none."));
        String signatureHeader = checkSignatureHeader(scheme, request.signatureHeader());
        Map<String, String> headers = checkHeaders(request.headers(), signatureHeader);
        String schedule = checkSchedule(request.retrySchedule());
        if (request.disableAfterFailures() != null
                && (request.disableAfterFailures() < 1 || request.disableAfterFailures() > 1000)) {
            throw ProblemException.badRequest("'disableAfterFailures' must be between 1 and 1000.");
        }
        if (request.description() != null && request.description().length() > 1000) {
            throw ProblemException.badRequest("'description' may be at most 1000 characters.");
        }
        String secret = request.secret();
        if (secret == null) {
            secret = WebhookSigner.newSecret();
        } else if (!WebhookSigner.isValidSecret(secret)) {
            throw ProblemException.badRequest("'secret' must be whsec_ followed by the base64 of 24 to 64 bytes.");
        }

        // Lock the account row so two concurrent creates cannot both pass the limit.
        jdbc.queryForObject("SELECT id FROM accounts WHERE id = ? FOR UPDATE", String.class, account);
        Integer count = jdbc.queryForObject(
                "SELECT COUNT(*) FROM endpoints WHERE account_id = ? AND deleted_at IS NULL", Integer.class, account);
        int max = properties.accounts().maxEndpoints();
        if (count != null && count >= max) {
            throw ProblemException.conflict("The account already has " + count + " endpoints; the limit is " + max
                    + " (hookpost.accounts.max-endpoints). Delete one first.");
        }

        String id = Ids.next("ep");
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        boolean active = request.active() == null || request.active();
        jdbc.update("INSERT INTO endpoints (id, account_id, url, description, filter_expression, signature_scheme,"
                        + " signature_header, secret, headers, retry_schedule, disable_after_failures, active,"
                        + " failure_streak, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
                id, account, url, request.description(), filter, scheme.apiName(), signatureHeader, secret,
                headers.isEmpty() ? null : json.writeValueAsString(headers), schedule,
                request.disableAfterFailures(), active, now, now);
        for (String type : types) {
            String prefix = type.endsWith("*") ? type.substring(0, type.length() - 1) : null;
            jdbc.update("INSERT INTO endpoint_event_types (endpoint_id, pattern, prefix) VALUES (?, ?, ?)",
                    id, type, prefix);
        }
        for (String category : categories) {
            jdbc.update("INSERT INTO endpoint_categories (endpoint_id, category) VALUES (?, ?)", id, category);
        }
        return get(account, id);
    }

    /** Re-enables an endpoint (after auto-disable or a pause) with a fresh failure count. */
    public Map<String, Object> enable(@Header("acct") String account, @Header("endpointId") String id) {
        get(account, id);
        jdbc.update("UPDATE endpoints SET active = TRUE, disabled_reason = NULL, disabled_at = NULL,"
                + " failure_streak = 0, updated_at = ? WHERE id = ?", OffsetDateTime.now(ZoneOffset.UTC), id);
        return get(account, id);
    }

    public record Recover(String since, String until) {
    }

    /** Replays the endpoint's failed and held deliveries created in [since, until): they become due now. */
    public Map<String, Object> recover(@Header("acct") String account, @Header("endpointId") String id,
                                       @Body byte[] body) throws IOException {
        Map<String, Object> endpoint = get(account, id);
        Recover request = bodies.read(body, Recover.class);
        if (request.since() == null) {
            throw ProblemException.badRequest("'since' is required, e.g. \"2026-01-31T00:00:00Z\".");
        }
        OffsetDateTime since = timestamp("since", request.since());
        OffsetDateTime until = request.until() == null ? OffsetDateTime.now(ZoneOffset.UTC).plusSeconds(1)
                : timestamp("until", request.until());
        if (!until.isAfter(since)) {
            throw ProblemException.badRequest("'until' must be after 'since'.");
        }
        if (!Boolean.TRUE.equals(endpoint.get("active"))) {
            throw ProblemException.conflict("The endpoint is disabled; enable it before recovering its deliveries.");
        }
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        int recovered = jdbc.update("UPDATE deliveries SET status = 'pending', next_attempt_at = ?, lease_owner = NULL,"
                        + " lease_until = NULL, updated_at = ? WHERE endpoint_id = ? AND status IN ('failed', 'held')"
                        + " AND created_at >= ? AND created_at < ?", now, now, id, since, until);
        return Map.of("recovered", recovered);
    }

    /** Deletes the endpoint; its pending and held deliveries are discarded, its history kept. */
    @Transactional
    public void delete(@Header("acct") String account, @Header("endpointId") String id) {
        get(account, id);
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        jdbc.update("UPDATE endpoints SET deleted_at = ?, active = FALSE, updated_at = ? WHERE id = ?", now, now, id);
        jdbc.update("UPDATE deliveries SET status = 'discarded', next_attempt_at = NULL, lease_owner = NULL,"
                + " lease_until = NULL, updated_at = ? WHERE endpoint_id = ? AND status IN ('pending', 'held')", now, id);
    }

    private static OffsetDateTime timestamp(String field, String value) {
        try {
            return OffsetDateTime.parse(value);
        } catch (java.time.format.DateTimeParseException e) {
            throw ProblemException.badRequest("'" + field + "' must be an ISO-8601 date-time such as 2026-01-31T00:00:00Z.");
        }
    }

    public List<Map<String, Object>> list(@Header("acct") String account) {
        List<Map<String, Object>> rows = jdbc.queryForList(
                "SELECT * FROM endpoints WHERE account_id = ? AND deleted_at IS NULL ORDER BY created_at, id",
                account);
        List<Map<String, Object>> views = new ArrayList<>(rows.size());
        for (Map<String, Object> row : rows) {
            views.add(view(row));
        }
        return views;
    }

    public Map<String, Object> get(@Header("acct") String account, @Header("endpointId") String id) {
        List<Map<String, Object>> rows = jdbc.queryForList(
                "SELECT * FROM endpoints WHERE account_id = ? AND id = ? AND deleted_at IS NULL", account, id);
        if (rows.isEmpty()) {
            throw ProblemException.notFound("No endpoint '" + id + "' in account '" + account + "'.");
        }
        return view(rows.get(0));
    }

    private Map<String, Object> view(Map<String, Object> row) {
        String id = (String) row.get("id");
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", id);
        view.put("url", row.get("url"));
        view.put("description", row.get("description"));
        List<String> types = jdbc.queryForList(
                "SELECT pattern FROM endpoint_event_types WHERE endpoint_id = ? ORDER BY pattern", String.class, id);
        view.put("eventTypes", types);
        view.put("categories", jdbc.queryForList(
                "SELECT category FROM endpoint_categories WHERE endpoint_id = ? ORDER BY category", String.class, id));
        view.put("filter", row.get("filter_expression"));
        view.put("signatureScheme", row.get("signature_scheme"));
        view.put("signatureHeader", SignatureScheme.fromApiName((String) row.get("signature_scheme"))
                .filter(SignatureScheme::headerConfigurable).map(s -> row.get("signature_header")).orElse(null));
        try {
            view.put("headers", row.get("headers") == null ? Map.of()
                    : json.readValue((String) row.get("headers"), new TypeReference<Map<String, String>>() { }));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        view.put("retrySchedule", row.get("retry_schedule") == null ? null
                : List.of(((String) row.get("retry_schedule")).split(",")));
        view.put("disableAfterFailures", row.get("disable_after_failures"));
        view.put("active", row.get("active"));
        view.put("disabledReason", row.get("disabled_reason"));
        view.put("secret", row.get("secret"));
        view.put("createdAt", instant(row.get("created_at")));
        view.put("updatedAt", instant(row.get("updated_at")));
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

    private String checkUrl(String url) {
        if (url == null || url.isBlank()) {
            throw ProblemException.badRequest("'url' is required.");
        }
        if (url.length() > 2048) {
            throw ProblemException.badRequest("'url' may be at most 2048 characters.");
        }
        try {
            guard.checkUrl(url);
        } catch (SsrfGuard.BlockedDestinationException e) {
            throw ProblemException.unprocessable("'url' is not allowed: " + e.getMessage() + ".");
        }
        return url;
    }

    private static List<String> checkTypes(List<String> types) {
        if (types == null || types.isEmpty()) {
            return List.of();
        }
        Set<String> out = new LinkedHashSet<>();
        for (String type : types) {
            if (type == null || type.length() > 200 || !TYPE_PATTERN.matcher(type).matches()) {
                throw ProblemException.badRequest("'eventTypes' entries are event types such as 'host.offline',"
                        + " wildcards such as 'host.*', or '*'; got '" + type + "'.");
            }
            out.add(type);
        }
        return new ArrayList<>(out);
    }

    private static List<String> checkCategories(List<String> categories) {
        if (categories == null) {
            return List.of();
        }
        Set<String> out = new LinkedHashSet<>();
        for (String category : categories) {
            if (category == null || category.isBlank() || category.length() > 200) {
                throw ProblemException.badRequest("'categories' entries are names of 1 to 200 characters.");
            }
            out.add(category);
        }
        return new ArrayList<>(out);
    }

    private static String checkSignatureHeader(SignatureScheme scheme, String header) {
        if (header == null) {
            return scheme.headerConfigurable() ? scheme.defaultHeader() : null;
        }
        if (!scheme.headerConfigurable()) {
            throw ProblemException.badRequest("'signatureHeader' can only be set for the hmac-sha256-hex and"
                    + " hmac-sha256-base64 schemes.");
        }
        if (!HEADER_NAME.matcher(header).matches()) {
            throw ProblemException.badRequest("'signatureHeader' is not a valid header name.");
        }
        return header;
    }

    private static Map<String, String> checkHeaders(Map<String, String> headers, String signatureHeader) {
        if (headers == null) {
            return Map.of();
        }
        if (headers.size() > 20) {
            throw ProblemException.badRequest("'headers' may hold at most 20 headers.");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> h : headers.entrySet()) {
            String name = h.getKey();
            String lower = name.toLowerCase(Locale.ROOT);
            if (!HEADER_NAME.matcher(name).matches() || lower.startsWith("camel")) {
                throw ProblemException.badRequest("'headers' has an invalid header name '" + name + "'.");
            }
            if (RESERVED_HEADERS.contains(lower) || (signatureHeader != null && lower.equalsIgnoreCase(signatureHeader))) {
                throw ProblemException.badRequest("'headers' may not set '" + name + "': Hookpost sets it.");
            }
            String value = h.getValue();
            if (value == null || value.length() > 1000 || value.chars().anyMatch(c -> c < 0x20 && c != '\t')) {
                throw ProblemException.badRequest("'headers' value of '" + name + "' is not a valid header value.");
            }
            out.put(name, value);
        }
        return out;
    }

    private static String checkSchedule(List<String> schedule) {
        if (schedule == null) {
            return null;
        }
        if (schedule.isEmpty() || schedule.size() > 20) {
            throw ProblemException.badRequest("'retrySchedule' holds 1 to 20 delays such as \"1m\" or \"2h\".");
        }
        List<String> out = new ArrayList<>();
        for (String delay : schedule) {
            try {
                RetrySchedule.parse(List.of(delay));
                out.add(delay.trim());
            } catch (RuntimeException e) {
                throw ProblemException.badRequest("'retrySchedule' entries are delays from 0s to 7d such as"
                        + " \"30s\", \"5m\", \"2h\"; got '" + delay + "'.");
            }
        }
        return String.join(",", out);
    }
}

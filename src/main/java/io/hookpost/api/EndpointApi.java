package io.hookpost.api;

import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookpost.HookpostProperties;
import io.hookpost.Ids;
import io.hookpost.IsoTimes;
import io.hookpost.ops.SecretsAtRest;
import io.hookpost.outbound.Channels;
import io.hookpost.outbound.Ed25519Keys;
import io.hookpost.outbound.Envelope;
import io.hookpost.outbound.EventReader;
import io.hookpost.outbound.OAuthClient;
import io.hookpost.outbound.PayloadFilter;
import io.hookpost.outbound.PreviousSecrets;
import io.hookpost.outbound.RetrySchedule;
import io.hookpost.outbound.SignatureScheme;
import io.hookpost.outbound.SsrfGuard;
import io.hookpost.outbound.WebhookSigner;
import io.hookpost.ops.OpsEvents;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** Endpoints of an account: create, list, get, change, delete, enable, recover, secrets. */
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

    /** The reason shown for an endpoint switched off over the API (not by failures). */
    static final String PAUSED = "disabled over the API";
    private static final int RECENT_DELIVERIES = 10;
    private static final long MAX_GRACE_SECONDS = 7 * 24 * 3600;
    static final int MAX_SUBSCRIPTION_ENTRIES = 100;
    /** Attempts a second an endpoint's rate limit may allow: Svix's bound (its rate limit is an unsigned 16 bits). */
    static final int MAX_RATE_LIMIT = 65_535;

    public record CreateEndpoint(String url, List<String> eventTypes, List<String> categories, JsonNode filter,
                                 String signatureScheme, String signatureHeader, Map<String, String> headers,
                                 List<String> retrySchedule, Integer disableAfterFailures, Integer rateLimit,
                                 String description, Boolean active, String secret, String envelope,
                                 Map<String, String> metadata, List<String> channels, String keyType,
                                 OAuthClient oauth) {
    }

    /** Key types of an endpoint's secret: shared (HMAC-SHA256, {@code v1}) or an Ed25519 key pair ({@code v1a}). */
    static final String SYMMETRIC = "symmetric";
    static final String ED25519 = "ed25519";

    private final JdbcTemplate jdbc;
    private final RequestBodies bodies;
    private final SsrfGuard guard;
    private final ObjectMapper json;
    private final HookpostProperties properties;
    private final SecretsAtRest secrets;

    public EndpointApi(JdbcTemplate jdbc, RequestBodies bodies, SsrfGuard guard, ObjectMapper json,
                       HookpostProperties properties, SecretsAtRest secrets) {
        this.jdbc = jdbc;
        this.secrets = secrets;
        this.bodies = bodies;
        this.guard = guard;
        this.json = json;
        this.properties = properties;
    }

    @Transactional
    public Map<String, Object> create(@Header("acct") String account, @Body byte[] body, Exchange exchange)
            throws IOException {
        CreateEndpoint request = bodies.read(body, CreateEndpoint.class);
        String url = checkUrl(request.url());
        List<String> types = checkTypes(request.eventTypes());
        List<String> categories = checkCategories(request.categories());
        String filter = PayloadFilter.check(request.filter());
        SignatureScheme scheme = checkScheme(request.signatureScheme(), SignatureScheme.STANDARD_WEBHOOKS);
        String signatureHeader = checkSignatureHeader(scheme, request.signatureHeader());
        Map<String, String> headers = checkHeaders(request.headers(), signatureHeader);
        OAuthClient oauth = checkOAuth(request.oauth(), headers);
        Envelope envelope = checkEnvelope(request.envelope());
        String schedule = checkSchedule(request.retrySchedule());
        checkDisableAfterFailures(request.disableAfterFailures());
        checkRateLimit(request.rateLimit());
        checkDescription(request.description());
        Map<String, String> metadata = Metadata.check(request.metadata());
        String channels = Channels.check(request.channels());
        String secret = secretFor(request.secret(), request.keyType(), SYMMETRIC, scheme);

        // Lock the account row so two concurrent creates cannot both pass the limit.
        jdbc.queryForObject("SELECT id FROM accounts WHERE id = ? FOR UPDATE", String.class, account);
        Integer count = jdbc.queryForObject(
                "SELECT COUNT(*) FROM endpoints WHERE account_id = ? AND deleted_at IS NULL", Integer.class, account);
        int max = properties.accounts().maxEndpoints();
        if (count != null && count >= max) {
            throw ProblemException.conflict("The account already has " + count + (count == 1 ? " endpoint" : " endpoints")
                    + "; the limit is " + max
                    + " (hookpost.accounts.max-endpoints). Delete one first.");
        }

        String id = Ids.next("ep");
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        boolean active = request.active() == null || request.active();
        jdbc.update("INSERT INTO endpoints (id, account_id, url, description, filter_expression, envelope,"
                        + " signature_scheme, signature_header, secret, headers, retry_schedule, disable_after_failures,"
                        + " rate_limit, active, disabled_reason, disabled_at, failure_streak, created_at, updated_at,"
                        + " metadata, channels, oauth) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?,"
                        + " ?)",
                id, account, url, request.description(), filter, envelope.apiName(), scheme.apiName(), signatureHeader,
                secrets.seal(secret),
                sealedHeaders(headers), schedule,
                request.disableAfterFailures(), request.rateLimit(), active, active ? null : PAUSED,
                active ? null : now, now, now, Metadata.column(json, metadata), channels, sealedOAuth(oauth));
        subscribe(id, types, categories);
        Map<String, Object> view = get(account, id);
        exchange.setProperty(OpsEvents.ENDPOINT_CHANGE, "endpoint.created");
        view.put("secret", shown(secret)); // shown on creation; later only through GET …/secret
        return view;
    }

    /**
     * {@code PATCH}: changes only the fields present in the body; {@code null} puts a field back to its
     * default (description, filter, envelope, headers, retrySchedule, disableAfterFailures; rateLimit, metadata and
     * channels to none). The secret changes only through rotate-secret.
     */
    @Transactional
    public Map<String, Object> update(@Header("acct") String account, @Header("endpointId") String id,
                                      @Body byte[] body, Exchange exchange) throws IOException {
        Map<String, Object> row = row(account, id, true);
        CreateEndpoint request = bodies.read(body, CreateEndpoint.class);
        Set<String> present = new LinkedHashSet<>();
        json.readTree(body).fieldNames().forEachRemaining(present::add);
        if (present.contains("secret") || present.contains("keyType")) {
            throw ProblemException.badRequest("'" + (present.contains("secret") ? "secret" : "keyType")
                    + "' cannot be patched; use POST …/endpoints/{id}/rotate-secret.");
        }

        String url = present.contains("url") ? checkUrl(request.url()) : (String) row.get("url");
        String description = present.contains("description") ? checkDescription(request.description())
                : (String) row.get("description");
        String filter = present.contains("filter") ? PayloadFilter.check(request.filter()) : (String) row.get("filter_expression");
        SignatureScheme current = SignatureScheme.fromApiName((String) row.get("signature_scheme")).orElseThrow();
        SignatureScheme scheme = present.contains("signatureScheme")
                ? checkScheme(request.signatureScheme(), null) : current;
        String signatureHeader;
        if (present.contains("signatureHeader")) {
            signatureHeader = checkSignatureHeader(scheme, request.signatureHeader());
        } else if (scheme != current) {
            signatureHeader = checkSignatureHeader(scheme, null);
        } else {
            signatureHeader = (String) row.get("signature_header");
        }
        if (scheme != current && ED25519.equals(keyTypeOf(row))
                && scheme != SignatureScheme.STANDARD_WEBHOOKS) {
            throw ProblemException.badRequest("The endpoint signs with an ed25519 key, which only standard-webhooks"
                    + " uses (v1a signatures): rotate to a symmetric secret first (POST …/rotate-secret with"
                    + " {\"keyType\": \"symmetric\"}), then change 'signatureScheme'.");
        }
        Map<String, String> stored = present.contains("headers") ? null : storedHeaders(row);
        // headers whose stored value does not open stay as stored until a PATCH sets them
        Map<String, String> headers = present.contains("headers") ? checkHeaders(request.headers(), signatureHeader)
                : stored == null ? null : checkHeaders(stored, signatureHeader);
        String headersColumn = headers == null ? (String) row.get("headers") : sealedHeaders(headers);
        // an OAuth client whose stored value does not open stays as stored (and is not sent with) until a PATCH sets it
        String oauthColumn;
        if (present.contains("oauth")) {
            oauthColumn = sealedOAuth(checkOAuth(request.oauth(), headers == null ? Map.of() : headers));
        } else {
            oauthColumn = (String) row.get("oauth");
            if (oauthColumn != null && headers != null) {
                noAuthorizationBesideOAuth(headers);
            }
        }
        String envelope = present.contains("envelope") ? checkEnvelope(request.envelope()).apiName()
                : (String) row.get("envelope");
        String schedule = present.contains("retrySchedule") ? checkSchedule(request.retrySchedule())
                : (String) row.get("retry_schedule");
        Integer disableAfter = present.contains("disableAfterFailures")
                ? checkDisableAfterFailures(request.disableAfterFailures())
                : (Integer) row.get("disable_after_failures");
        Integer rateLimit = present.contains("rateLimit") ? checkRateLimit(request.rateLimit())
                : (Integer) row.get("rate_limit");
        Map<String, String> metadata = present.contains("metadata") ? Metadata.check(request.metadata())
                : storedMap(row, "metadata");
        String channels = present.contains("channels") ? Channels.check(request.channels())
                : (String) row.get("channels");
        if (present.contains("active") && request.active() == null) {
            throw ProblemException.badRequest("'active' must be true or false.");
        }
        refuseNullList(present, "eventTypes", request.eventTypes());
        refuseNullList(present, "categories", request.categories());

        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        jdbc.update("UPDATE endpoints SET url = ?, description = ?, filter_expression = ?, envelope = ?,"
                        + " signature_scheme = ?, signature_header = ?, headers = ?, retry_schedule = ?,"
                        + " disable_after_failures = ?, rate_limit = ?, metadata = ?, channels = ?, oauth = ?,"
                        + " updated_at = ? WHERE id = ?",
                url, description, filter, envelope, scheme.apiName(), signatureHeader,
                headersColumn, schedule, disableAfter, rateLimit,
                Metadata.column(json, metadata), channels, oauthColumn, now, id);
        if (scheme != current && scheme != SignatureScheme.STANDARD_WEBHOOKS) {
            // the old secrets' grace periods end: this scheme signs with the current secret alone (or none), and a
            // change back to standard-webhooks must not have secrets thought gone sign again
            jdbc.update("UPDATE endpoints SET previous_secret = NULL, previous_secret_expires_at = NULL,"
                    + " older_secrets = NULL WHERE id = ?", id);
        }
        if (present.contains("eventTypes") || present.contains("categories")) {
            List<String> types = present.contains("eventTypes") ? checkTypes(request.eventTypes())
                    : jdbc.queryForList("SELECT pattern FROM endpoint_event_types WHERE endpoint_id = ?", String.class, id);
            List<String> categories = present.contains("categories") ? checkCategories(request.categories())
                    : jdbc.queryForList("SELECT category FROM endpoint_categories WHERE endpoint_id = ?", String.class, id);
            jdbc.update("DELETE FROM endpoint_event_types WHERE endpoint_id = ?", id);
            jdbc.update("DELETE FROM endpoint_categories WHERE endpoint_id = ?", id);
            subscribe(id, types, categories);
        }
        if (present.contains("active")) {
            if (request.active()) {
                activate(id, now);
            } else if (jdbc.update("UPDATE endpoints SET active = FALSE, disabled_reason = ?, disabled_at = ?"
                        + " WHERE id = ? AND active = TRUE", PAUSED, now, id) == 1) {
                // as an auto-disable does (hold-pending-deliveries): what was not yet sent waits for a recover, as
                // what comes while it is paused does, and an attempt under way still ends and is recorded
                jdbc.update("UPDATE deliveries SET status = 'held', lease_owner = NULL, lease_until = NULL,"
                        + " updated_at = ? WHERE endpoint_id = ? AND status = 'pending'", now, id);
                exchange.setProperty(OpsEvents.ENDPOINT_PAUSED, true);
            }
        }
        exchange.setProperty(OpsEvents.ENDPOINT_CHANGE, "endpoint.updated");
        return get(account, id);
    }

    /** {@code GET …/secret}: the signing secret, for the account admin to configure the receiver. */
    public Map<String, Object> secret(@Header("acct") String account, @Header("endpointId") String id) {
        Map<String, Object> row = row(account, id, false);
        Map<String, Object> view = new LinkedHashMap<>();
        String secret;
        try {
            secret = secrets.reveal((String) row.get("secret"));
        } catch (SecretsAtRest.Unreadable unreadable) {
            throw ProblemException.conflict("The endpoint's signing secret cannot be read: its stored value does not"
                    + " open with Hookpost's encryption key. Rotate it (POST …/rotate-secret) to set a new one.");
        }
        view.put("secret", shown(secret));
        view.put("keyType", keyTypeOf(secret));
        // when the last of the replaced secrets stops signing. None for a scheme that signs with the current secret
        // only, though its row may hold a previous one (rotated with a grace period by an older Hookpost, or under
        // another scheme)
        boolean oneSecret = SignatureScheme.fromApiName((String) row.get("signature_scheme")).orElseThrow()
                .singleSignature();
        OffsetDateTime previousUntil = oneSecret ? null : PreviousSecrets.valid(row, OffsetDateTime.now(ZoneOffset.UTC))
                .stream().map(PreviousSecrets.Entry::expiresAt).max(OffsetDateTime::compareTo).orElse(null);
        view.put("previousSecretExpiresAt", previousUntil == null ? null : Views.instant(previousUntil));
        return view;
    }

    public record RotateSecret(Long gracePeriodSeconds, String secret, String keyType) {
    }

    /**
     * {@code POST …/rotate-secret {gracePeriodSeconds?, secret?}}: a new secret signs from now on. With a grace
     * period the old one signs too until it ends (a second signature), so receivers can switch over; with 0
     * (the default) the old secret is invalid at once.
     */
    @Transactional
    public Map<String, Object> rotateSecret(@Header("acct") String account, @Header("endpointId") String id,
                                            @Body byte[] body) throws IOException {
        Map<String, Object> row = row(account, id, true);
        RotateSecret request = body == null || body.length == 0 ? new RotateSecret(null, null, null)
                : bodies.read(body, RotateSecret.class);
        long grace = request.gracePeriodSeconds() == null ? 0 : request.gracePeriodSeconds();
        if (grace < 0 || grace > MAX_GRACE_SECONDS) {
            throw ProblemException.badRequest("'gracePeriodSeconds' must be from 0 to " + MAX_GRACE_SECONDS
                    + " (7 days).");
        }
        if (grace > 0 && SignatureScheme.fromApiName((String) row.get("signature_scheme")).orElseThrow().singleSignature()) {
            throw ProblemException.badRequest("'gracePeriodSeconds' must be 0 for " + row.get("signature_scheme")
                    + ": its header carries one signature, which receivers compare whole, so during a grace period"
                    + " neither secret's would verify. Rotate with 0 and let the receiver accept both secrets while"
                    + " it switches over.");
        }
        // without a keyType or a secret, the new secret is of the current one's type
        String currentType = keyTypeOf(row);
        String secret = secretFor(request.secret(), request.keyType(), currentType == null ? SYMMETRIC : currentType,
                SignatureScheme.fromApiName((String) row.get("signature_scheme")).orElseThrow());
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        // with a grace period, secrets replaced before keep theirs; without, every old secret is invalid at once, as
        // when the current one does not open (it could not sign during a grace period)
        boolean keepOld = grace > 0 && currentType != null;
        jdbc.update("UPDATE endpoints SET secret = ?, previous_secret = ?, previous_secret_expires_at = ?,"
                        + " older_secrets = ?, updated_at = ? WHERE id = ?",
                // the replaced secret stays as stored (sealed or not): only its place changes
                secrets.seal(secret), keepOld ? row.get("secret") : null, keepOld ? now.plusSeconds(grace) : null,
                keepOld ? PreviousSecrets.afterRotation(row, now) : null, now, id);
        return secret(account, id);
    }

    /** Re-enables an endpoint (after auto-disable or a pause) with a fresh failure count. */
    public Map<String, Object> enable(@Header("acct") String account, @Header("endpointId") String id,
                                      Exchange exchange) {
        boolean wasActive = Boolean.TRUE.equals(row(account, id, true).get("active"));
        activate(id, OffsetDateTime.now(ZoneOffset.UTC));
        if (!wasActive) {
            exchange.setProperty(OpsEvents.ENDPOINT_CHANGE, "endpoint.enabled");
        }
        return get(account, id);
    }

    private void activate(String id, OffsetDateTime now) {
        jdbc.update("UPDATE endpoints SET active = TRUE, disabled_reason = NULL, disabled_at = NULL,"
                + " failure_streak = 0, failing_since = NULL, updated_at = ? WHERE id = ?", now, id);
    }

    private void subscribe(String id, List<String> types, List<String> categories) {
        if (types.isEmpty() && categories.isEmpty()) {
            types = List.of("*"); // no filter: every event of the account, stated explicitly
        }
        for (String type : types) {
            String prefix = type.endsWith("*") ? type.substring(0, type.length() - 1) : null;
            jdbc.update("INSERT INTO endpoint_event_types (endpoint_id, pattern, prefix) VALUES (?, ?, ?)",
                    id, type, prefix);
        }
        for (String category : categories) {
            jdbc.update("INSERT INTO endpoint_categories (endpoint_id, category) VALUES (?, ?)", id, category);
        }
    }

    /** A window of time, [since, until), as recover and replay-missing take it. */
    public record Recover(String since, String until) {
        /** Its start, checked; 400 when missing, not a date-time, or not before {@code end} ({@link #end}). */
        OffsetDateTime start(OffsetDateTime end) {
            if (since == null) {
                throw ProblemException.badRequest("'since' is required, e.g. \"2026-01-31T00:00:00Z\".");
            }
            OffsetDateTime start = timestamp("since", since);
            if (!end.isAfter(start)) {
                throw ProblemException.badRequest(until == null ? "'since' must be in the past."
                        : "'until' must be after 'since'.");
            }
            return start;
        }

        /** Its end: by default a second from now, so that what was just recorded is in it. */
        OffsetDateTime end() {
            return until == null ? OffsetDateTime.now(ZoneOffset.UTC).plusSeconds(1) : timestamp("until", until);
        }
    }

    /** Replays the endpoint's failed and held deliveries created in [since, until): they become due now. */
    public Map<String, Object> recover(@Header("acct") String account, @Header("endpointId") String id,
                                       @Body byte[] body) throws IOException {
        Map<String, Object> endpoint = row(account, id, false);
        Recover request = bodies.read(body, Recover.class);
        OffsetDateTime until = request.end();
        OffsetDateTime since = request.start(until);
        if (!Boolean.TRUE.equals(endpoint.get("active"))) {
            throw ProblemException.conflict("The endpoint is disabled; enable it before recovering its deliveries.");
        }
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        int recovered = jdbc.update("UPDATE deliveries SET status = 'pending', next_attempt_at = ?, lease_owner = NULL,"
                        + " lease_until = NULL, updated_at = ?, trigger_kind = CASE WHEN trigger_kind = 'test' THEN"
                        + " 'test' ELSE 'manual' END WHERE endpoint_id = ? AND status IN ('failed', 'held')"
                        + " AND created_at >= ? AND created_at < ?", now, now, id, since, until);
        return Map.of("recovered", recovered);
    }

    /** Deletes the endpoint; its pending and held deliveries are discarded, its history kept. */
    @Transactional
    public void delete(@Header("acct") String account, @Header("endpointId") String id, Exchange exchange) {
        Map<String, Object> row = row(account, id, true);
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        jdbc.update("UPDATE endpoints SET deleted_at = ?, active = FALSE, updated_at = ? WHERE id = ?", now, now, id);
        jdbc.update("UPDATE deliveries SET status = 'discarded', next_attempt_at = NULL, lease_owner = NULL,"
                + " lease_until = NULL, updated_at = ? WHERE endpoint_id = ? AND status IN ('pending', 'held')", now, id);
        exchange.setProperty(OpsEvents.ENDPOINT_CHANGE, "endpoint.deleted");
        Map<String, Object> gone = view(row);
        gone.put("active", false);
        gone.put("updatedAt", Views.instant(now));
        exchange.setProperty(OpsEvents.ENDPOINT_GONE, gone);
    }

    /** Whether this is an event type such as {@code host.offline}, a wildcard such as {@code host.*}, or {@code *}. */
    static boolean isTypeOrWildcard(String type) {
        return type.length() <= 200 && TYPE_PATTERN.matcher(type).matches();
    }

    /** A request's date-time field, or 400. */
    static OffsetDateTime timestamp(String field, String value) {
        Instant at = IsoTimes.parse(value);
        if (at == null) {
            throw ProblemException.badRequest("'" + field + "' must be an ISO-8601 date-time such as 2026-01-31T00:00:00Z"
                    + " (years 1 to 9999).");
        }
        return at.atOffset(ZoneOffset.UTC);
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

    /** One endpoint with its most recent deliveries. */
    public Map<String, Object> get(@Header("acct") String account, @Header("endpointId") String id) {
        Map<String, Object> view = view(row(account, id, false));
        List<Map<String, Object>> recent = new ArrayList<>();
        jdbc.queryForList("SELECT * FROM deliveries WHERE endpoint_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
                id, RECENT_DELIVERIES).forEach(d -> recent.add(Views.delivery(d)));
        view.put("recentDeliveries", recent);
        return view;
    }

    /** The endpoint's row; {@code lock} takes a row lock so concurrent changes apply one after the other. */
    private Map<String, Object> row(String account, String id, boolean lock) {
        List<Map<String, Object>> rows = jdbc.queryForList(
                "SELECT * FROM endpoints WHERE account_id = ? AND id = ? AND deleted_at IS NULL"
                        + (lock ? " FOR UPDATE" : ""), account, id);
        if (rows.isEmpty()) {
            throw ProblemException.notFound("No endpoint '" + id + "' in account '" + account + "'.");
        }
        return rows.get(0);
    }

    /** A column holding a JSON object of strings; empty when null. */
    private Map<String, String> storedMap(Map<String, Object> row, String column) {
        return Metadata.read(json, row.get(column));
    }

    /**
     * The endpoint's custom headers (often a receiver's credentials: stored sealed like secrets); empty when none, null
     * when the stored value does not open (changed in the database): a PATCH of {@code headers} replaces it.
     */
    private Map<String, String> storedHeaders(Map<String, Object> row) {
        String stored;
        try {
            stored = secrets.reveal((String) row.get("headers"));
        } catch (SecretsAtRest.Unreadable unreadable) {
            return null;
        }
        return Metadata.read(json, stored);
    }

    private String sealedHeaders(Map<String, String> headers) throws IOException {
        return headers.isEmpty() ? null : secrets.seal(json.writeValueAsString(headers));
    }

    /** The endpoint's OAuth client as the API shows it: all but the client secret; null when none, or unreadable. */
    private Map<String, Object> storedOAuth(Map<String, Object> row) {
        try {
            String stored = secrets.reveal((String) row.get("oauth"));
            if (stored == null) {
                return null;
            }
            OAuthClient client = json.readValue(stored, OAuthClient.class);
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("tokenUrl", client.tokenUrl());
            view.put("clientId", client.clientId());
            view.put("scope", client.scope());
            view.put("audience", client.audience());
            view.put("clientAuthentication", client.authentication().apiName());
            return view;
        } catch (SecretsAtRest.Unreadable unreadable) {
            return null;
        } catch (IOException e) {
            throw new IllegalStateException("an endpoint's stored OAuth client is not its JSON", e);
        }
    }

    private String sealedOAuth(OAuthClient oauth) throws IOException {
        return oauth == null ? null : secrets.seal(json.writeValueAsString(oauth));
    }

    /**
     * An OAuth client as the receiver's token endpoint will see it: its URL held to the endpoint URL's rules (the
     * same SSRF guard, https unless allowed), and no custom Authorization header beside it (the token goes there).
     */
    private OAuthClient checkOAuth(OAuthClient oauth, Map<String, String> headers) {
        if (oauth == null) {
            return null;
        }
        noAuthorizationBesideOAuth(headers);
        if (oauth.tokenUrl() == null || oauth.tokenUrl().isBlank()) {
            throw ProblemException.badRequest("'oauth.tokenUrl' is required: the receiver's token endpoint.");
        }
        if (oauth.tokenUrl().length() > 2048) {
            throw ProblemException.badRequest("'oauth.tokenUrl' may be at most 2048 characters.");
        }
        try {
            guard.checkUrl(oauth.tokenUrl());
        } catch (SsrfGuard.BlockedDestinationException e) {
            throw ProblemException.unprocessable("'oauth.tokenUrl' is not allowed: " + e.getMessage() + ".");
        }
        checkOAuthField("clientId", oauth.clientId(), true);
        checkOAuthField("clientSecret", oauth.clientSecret(), true);
        checkOAuthField("scope", oauth.scope(), false);
        checkOAuthField("audience", oauth.audience(), false);
        if (OAuthClient.Authentication.fromApiName(oauth.clientAuthentication()).isEmpty()) {
            throw ProblemException.badRequest("'oauth.clientAuthentication' must be basic (HTTP Basic, the default) or"
                    + " body (client_id and client_secret in the form).");
        }
        return oauth;
    }

    private static void noAuthorizationBesideOAuth(Map<String, String> headers) {
        if (headers.keySet().stream().anyMatch("Authorization"::equalsIgnoreCase)) {
            throw ProblemException.badRequest("'headers' may not set 'Authorization' on an endpoint with 'oauth': the"
                    + " access token is sent in it.");
        }
    }

    private static void checkOAuthField(String name, String value, boolean required) {
        if (value == null && !required) {
            return;
        }
        if (value == null || value.isEmpty() || value.length() > 1000) {
            throw ProblemException.badRequest("'oauth." + name + "' " + (required ? "is required and " : "")
                    + "must be 1 to 1000 characters.");
        }
    }

    /** The endpoint as the API shows it; the secret is shown on creation and by GET …/secret only. */
    private Map<String, Object> view(Map<String, Object> row) {
        String id = (String) row.get("id");
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", id);
        view.put("url", row.get("url"));
        view.put("description", row.get("description"));
        view.put("eventTypes", jdbc.queryForList(
                "SELECT pattern FROM endpoint_event_types WHERE endpoint_id = ? ORDER BY pattern", String.class, id));
        view.put("categories", jdbc.queryForList(
                "SELECT category FROM endpoint_categories WHERE endpoint_id = ? ORDER BY category", String.class, id));
        view.put("channels", Channels.list(row.get("channels")));
        view.put("filter", row.get("filter_expression"));
        view.put("envelope", row.get("envelope"));
        view.put("signatureScheme", row.get("signature_scheme"));
        view.put("keyType", keyTypeOf(row));
        view.put("signatureHeader", SignatureScheme.fromApiName((String) row.get("signature_scheme"))
                .filter(SignatureScheme::headerConfigurable).map(s -> row.get("signature_header")).orElse(null));
        view.put("headers", storedHeaders(row));
        view.put("oauth", storedOAuth(row));
        view.put("retrySchedule", row.get("retry_schedule") == null ? null
                : List.of(((String) row.get("retry_schedule")).split(",")));
        view.put("disableAfterFailures", row.get("disable_after_failures"));
        view.put("rateLimit", row.get("rate_limit"));
        view.put("metadata", storedMap(row, "metadata"));
        view.put("active", row.get("active"));
        view.put("disabledReason", row.get("disabled_reason"));
        view.put("disabledAt", Views.instant(row.get("disabled_at")));
        view.put("consecutiveFailures", row.get("failure_streak"));
        view.put("failingSince", Views.instant(row.get("failing_since")));
        view.put("createdAt", Views.instant(row.get("created_at")));
        view.put("updatedAt", Views.instant(row.get("updated_at")));
        return view;
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

    private static SignatureScheme checkScheme(String name, SignatureScheme absent) {
        if (name == null && absent != null) {
            return absent;
        }
        return SignatureScheme.fromApiName(name).orElseThrow(() -> ProblemException.badRequest(
                "'signatureScheme' must be one of standard-webhooks, hmac-sha256-hex, hmac-sha256-base64, none."));
    }

    /** null: the standard envelope (on a PATCH, back to it). */
    private static Envelope checkEnvelope(String name) {
        return Envelope.fromApiName(name).orElseThrow(() -> ProblemException.badRequest(
                "'envelope' must be one of " + Envelope.names() + "."));
    }

    private static Integer checkDisableAfterFailures(Integer value) {
        if (value != null && (value < 1 || value > 1000)) {
            throw ProblemException.badRequest("'disableAfterFailures' must be between 1 and 1000.");
        }
        return value;
    }

    private static Integer checkRateLimit(Integer value) {
        if (value != null && (value < 1 || value > MAX_RATE_LIMIT)) {
            throw ProblemException.badRequest("'rateLimit' (attempts a second) must be between 1 and " + MAX_RATE_LIMIT
                    + ", or null for none.");
        }
        return value;
    }

    private static String checkDescription(String description) {
        if (description != null && description.length() > 1000) {
            throw ProblemException.badRequest("'description' may be at most 1000 characters.");
        }
        return description;
    }

    /**
     * The secret to store: the one given (checked; an ed25519 key in its stored form), or a new one of the key type
     * asked for, or else of {@code defaultType}.
     */
    private static String secretFor(String given, String keyType, String defaultType, SignatureScheme scheme) {
        if (keyType != null && !SYMMETRIC.equals(keyType) && !ED25519.equals(keyType)) {
            throw ProblemException.badRequest("'keyType' must be symmetric (a whsec_ secret, v1 signatures) or ed25519"
                    + " (a key pair, v1a signatures).");
        }
        String secret;
        if (given != null) {
            secret = checkSecret(given);
            if (keyType != null && !keyType.equals(keyTypeOf(secret))) {
                throw ProblemException.badRequest("'keyType' is " + keyType + " but 'secret' is a"
                        + (ED25519.equals(keyType) ? " symmetric secret" : "n ed25519 key") + ".");
            }
        } else {
            secret = ED25519.equals(keyType != null ? keyType : defaultType) ? Ed25519Keys.generate()
                    : WebhookSigner.newSecret();
        }
        if (Ed25519Keys.isPrivateKey(secret) && scheme != SignatureScheme.STANDARD_WEBHOOKS) {
            throw ProblemException.badRequest("An ed25519 key signs only with signatureScheme standard-webhooks (v1a"
                    + " signatures); " + scheme.apiName() + " takes a symmetric whsec_ secret.");
        }
        return secret;
    }

    private static String checkSecret(String secret) {
        if (Ed25519Keys.isPrivateKey(secret)) {
            try {
                return Ed25519Keys.normalise(secret);
            } catch (IllegalArgumentException e) {
                throw ProblemException.badRequest("'secret' is not an ed25519 key: " + e.getMessage() + ".");
            }
        }
        if (!WebhookSigner.isValidSecret(secret)) {
            throw ProblemException.badRequest("'secret' must be whsec_ followed by the base64 of 24 to 64 bytes, or an"
                    + " ed25519 key: whsk_ followed by the base64 of its 32-byte seed and 32-byte public key.");
        }
        return secret;
    }

    /**
     * The key type of the endpoint's current secret (opened when stored sealed); null when it does not open (its
     * stored value changed): the endpoint still shows, and a rotation replaces the secret.
     */
    private String keyTypeOf(Map<String, Object> row) {
        try {
            return keyTypeOf(secrets.reveal((String) row.get("secret")));
        } catch (SecretsAtRest.Unreadable unreadable) {
            return null;
        }
    }

    static String keyTypeOf(String secret) {
        return Ed25519Keys.isPrivateKey(secret) ? ED25519 : SYMMETRIC;
    }

    /** What a receiver verifies with: a symmetric secret itself, an ed25519 key's public half ({@code whpk_}). */
    private static String shown(String secret) {
        return Ed25519Keys.isPrivateKey(secret) ? Ed25519Keys.publicKey(secret) : secret;
    }

    /** A PATCH's null is no way back to a default here: an endpoint with neither list gets every event. */
    private static void refuseNullList(Set<String> present, String field, List<String> value) {
        if (present.contains(field) && value == null) {
            throw ProblemException.badRequest("'" + field + "' must be a list; [] empties it (an endpoint with"
                    + " neither event types nor categories gets every event).");
        }
    }

    private static List<String> checkTypes(List<String> types) {
        if (types == null || types.isEmpty()) {
            return List.of();
        }
        checkCount("eventTypes", types);
        Set<String> out = new LinkedHashSet<>();
        for (String type : types) {
            if (type == null || !isTypeOrWildcard(type)) {
                throw ProblemException.badRequest("'eventTypes' entries are event types such as 'host.offline',"
                        + " wildcards such as 'host.*', or '*'; got '" + type + "'.");
            }
            out.add(type);
        }
        return new ArrayList<>(out);
    }

    /** Wildcards cover many types, so an endpoint needs few entries; a bound keeps one request from writing many rows. */
    private static void checkCount(String field, List<String> entries) {
        if (entries.size() > MAX_SUBSCRIPTION_ENTRIES) {
            throw ProblemException.badRequest("'" + field + "' may have at most " + MAX_SUBSCRIPTION_ENTRIES
                    + " entries (wildcards such as 'host.*' cover many types).");
        }
    }

    private static List<String> checkCategories(List<String> categories) {
        if (categories == null) {
            return List.of();
        }
        checkCount("categories", categories);
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
        String lower = header.toLowerCase(Locale.ROOT);
        if (!HEADER_NAME.matcher(header).matches() || lower.startsWith("camel")) {
            throw ProblemException.badRequest("'signatureHeader' is not a valid header name.");
        }
        // the scheme's own default is the one reserved name it may take
        if (RESERVED_HEADERS.contains(lower) && !lower.equalsIgnoreCase(scheme.defaultHeader())) {
            throw ProblemException.badRequest("'signatureHeader' may not be '" + header + "': Hookpost sets it.");
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
            if (value.chars().anyMatch(c -> c > 0x7e)) {
                // HTTP sends a header's value as ASCII (RFC 9110): the HTTP client would send '?' for the rest
                throw ProblemException.badRequest("'headers' value of '" + name + "' may hold ASCII characters only;"
                        + " percent-encode or base64 anything else.");
            }
            // header names are case-insensitive: the HTTP client would send only one of the two
            if (out.keySet().stream().anyMatch(name::equalsIgnoreCase)) {
                throw ProblemException.badRequest("'headers' names '" + name + "' twice (header names ignore case).");
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
            Matcher written = delay == null ? null : DELAY.matcher(delay.trim());
            try {
                if (written == null || !written.matches()) {
                    throw new IllegalArgumentException("not a whole number with a unit");
                }
                // as the API shows it back: "1H" and "01s" were kept as sent; Spring's style reads "30" as 30 ms
                String canonical = Long.parseLong(written.group(1)) + written.group(2).toLowerCase(Locale.ROOT);
                RetrySchedule.parse(List.of(canonical));
                out.add(canonical);
            } catch (RuntimeException e) {
                throw ProblemException.badRequest("'retrySchedule' entries are delays from 0s to 7d, a whole number and"
                        + " a unit (ms, s, m, h or d) such as \"30s\", \"5m\", \"2h\"; got '" + delay + "'.");
            }
        }
        return String.join(",", out);
    }

    /** A retry delay as written: digits, then ms, s, m, h or d (any case); no sign, no unitless number. */
    private static final Pattern DELAY = Pattern.compile("([0-9]{1,12})(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);
}

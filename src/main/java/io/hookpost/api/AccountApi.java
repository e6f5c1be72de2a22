package io.hookpost.api;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookpost.HookpostProperties;
import io.hookpost.Ids;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** Accounts (operators create the tenants) and their API keys. */
@Component("accountApi")
public class AccountApi {
    static final Pattern ACCOUNT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_\\-]{0,63}");

    public record CreateAccount(String name, String id, Map<String, String> metadata) {
    }

    public record UpdateAccount(String name, Map<String, String> metadata) {
    }

    public record CreateApiKey(String description, String expiresAt) {
    }

    private final JdbcTemplate jdbc;
    private final RequestBodies bodies;
    private final ApiKeys keys;
    private final boolean adminTokenSet;
    private final Accounts accounts;
    private final String opsAccount;
    private final ObjectMapper json;

    public AccountApi(JdbcTemplate jdbc, RequestBodies bodies, ApiKeys keys, Accounts accounts,
                      HookpostProperties properties, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
        this.accounts = accounts;
        this.opsAccount = properties.ops().accountId();
        this.bodies = bodies;
        this.keys = keys;
        String token = properties.security().adminToken();
        this.adminTokenSet = token != null && !token.isBlank();
    }

    /**
     * {@code POST …/accounts/{acct}/api-keys}: an account-admin key, which sees only this account. The key is
     * in the answer once; only its SHA-256 is stored.
     */
    public Map<String, Object> createApiKey(@Header("acct") String account, @Body byte[] body, Exchange exchange)
            throws IOException {
        return issue(account, body, exchange);
    }

    /** {@code GET …/accounts/{acct}/api-keys}: the account's live keys and portal sessions, newest first. */
    public Map<String, Object> listApiKeys(@Header("acct") String account, @Header("limit") String limit,
                                           @Header("cursor") String cursor) {
        return keys.live(account, Paging.cursor(cursor), Paging.limit(limit));
    }

    /** {@code DELETE …/accounts/{acct}/api-keys/{keyId}}: the key answers 401 from the next request on. */
    public void revokeApiKey(@Header("acct") String account, @Header("keyId") String keyId) {
        keys.revoke(account, keyId);
    }

    /** {@code POST /api/v1/api-keys}: another operator key (to replace the one generated at first start, say). */
    public Map<String, Object> createOperatorKey(@Body byte[] body, Exchange exchange) throws IOException {
        ApiAccess.requireOperator(exchange);
        return issue(null, body, exchange);
    }

    /** {@code GET /api/v1/api-keys}: the live operator keys (not the admin-token setting's, which is not stored). */
    public Map<String, Object> listOperatorKeys(@Header("limit") String limit, @Header("cursor") String cursor,
                                                Exchange exchange) {
        ApiAccess.requireOperator(exchange);
        return keys.live(null, Paging.cursor(cursor), Paging.limit(limit));
    }

    /** {@code DELETE /api/v1/api-keys/{keyId}}: never the last one while no admin-token is set (409). */
    public void revokeOperatorKey(@Header("keyId") String keyId, Exchange exchange) {
        ApiAccess.requireOperator(exchange);
        keys.revokeOperatorKey(keyId, adminTokenSet);
    }

    private Map<String, Object> issue(String account, byte[] body, Exchange exchange) throws IOException {
        CreateApiKey request = body == null || body.length == 0 ? new CreateApiKey(null, null)
                : bodies.read(body, CreateApiKey.class);
        if (request.description() != null && request.description().length() > 200) {
            throw ProblemException.badRequest("'description' may be at most 200 characters.");
        }
        if (request.description() != null && request.description().chars().anyMatch(Character::isISOControl)) {
            throw ProblemException.badRequest("'description' may not contain control characters (line breaks, tabs,"
                    + " escapes).");
        }
        OffsetDateTime expiresAt = request.expiresAt() == null ? null
                : EndpointApi.timestamp("expiresAt", request.expiresAt()).withOffsetSameInstant(ZoneOffset.UTC)
                .truncatedTo(ChronoUnit.MICROS);
        if (expiresAt != null && !expiresAt.isAfter(Views.now())) {
            throw ProblemException.badRequest("'expiresAt' must be in the future (or left out: the key does not"
                    + " expire).");
        }
        expiresAt = ApiKeys.noLaterThanCaller(expiresAt, exchange);
        ApiKeys.Issued issued = keys.issueKey(account, request.description(), expiresAt);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", issued.id());
        view.put("key", issued.key());
        view.put("prefix", issued.prefix());
        view.put("accountId", account);
        view.put("description", request.description());
        view.put("scope", "full");
        view.put("createdAt", DateTimeFormatter.ISO_INSTANT.format(issued.createdAt()));
        view.put("expiresAt", expiresAt == null ? null : DateTimeFormatter.ISO_INSTANT.format(expiresAt));
        view.put("lastUsedAt", null);
        return view;
    }

    /** {@code GET /api/v1/accounts}: every account, newest first (operators only). */
    public Map<String, Object> list(@Header("limit") String limit, @Header("cursor") String cursor,
                                    Exchange exchange) {
        ApiAccess.requireOperator(exchange);
        return Paging.query(jdbc, new StringBuilder("SELECT id, name, metadata, created_at FROM accounts"
                + " WHERE deleted_at IS NULL"), new ArrayList<>(), "", Paging.cursor(cursor), Paging.limit(limit),
                this::view);
    }

    /** {@code GET /api/v1/accounts/{acct}}: for operators and the account's own keys. */
    public Map<String, Object> get(@Header("acct") String account) {
        return view(jdbc.queryForMap("SELECT id, name, metadata, created_at FROM accounts WHERE id = ?", account));
    }

    /**
     * {@code PATCH /api/v1/accounts/{acct}}: the account's name and metadata, each only when sent (operators only; its
     * id never changes). A metadata object replaces the pairs, null removes them.
     */
    @Transactional
    public Map<String, Object> update(@Header("acct") String account, @Body byte[] body, Exchange exchange)
            throws IOException {
        ApiAccess.requireOperator(exchange);
        UpdateAccount request = bodies.read(body, UpdateAccount.class);
        Set<String> present = new HashSet<>();
        json.readTree(body).fieldNames().forEachRemaining(present::add);
        if (present.isEmpty()) {
            throw ProblemException.badRequest("Send 'name' or 'metadata' (or both) to change.");
        }
        // both checked before either changes: a refused request changes nothing
        String name = present.contains("name") ? validName(request.name()) : null;
        String metadata = present.contains("metadata") ? Metadata.column(json, Metadata.check(request.metadata()))
                : null;
        if (name != null) {
            jdbc.update("UPDATE accounts SET name = ? WHERE id = ?", name, account);
        }
        if (present.contains("metadata")) {
            jdbc.update("UPDATE accounts SET metadata = ? WHERE id = ?", metadata, account);
        }
        return get(account);
    }

    /**
     * {@code DELETE /api/v1/accounts/{acct}} (operators only): the account answers 404 from now on, its keys and
     * portal sessions 401, its provider callbacks 404, and events for it on the queue are refused; its endpoints are
     * deleted and the deliveries not yet made discarded (an attempt under way still ends). The rest of its data is
     * erased by the next history purge ({@code AccountErasure}); its id is never given to another account.
     */
    @Transactional
    public void delete(@Header("acct") String account, Exchange exchange) {
        ApiAccess.requireOperator(exchange);
        if (account.equals(opsAccount)) {
            throw ProblemException.conflict("'" + account + "' is Hookpost's operations account"
                    + " (hookpost.ops.account-id), where endpoint.disabled and other operational events go; it is"
                    + " not deleted.");
        }
        // the row lock orders this against another DELETE and against a rename
        if (jdbc.queryForList("SELECT id FROM accounts WHERE id = ? AND deleted_at IS NULL FOR UPDATE", String.class,
                account).isEmpty()) {
            throw ProblemException.notFound("No account '" + account + "'.");
        }
        OffsetDateTime now = Views.now();
        jdbc.update("UPDATE accounts SET deleted_at = ? WHERE id = ?", now, account);
        jdbc.update("UPDATE api_keys SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL", now, account);
        jdbc.update("UPDATE provider_connections SET deleted_at = ? WHERE account_id = ? AND deleted_at IS NULL", now,
                account);
        jdbc.update("UPDATE endpoints SET deleted_at = ?, active = FALSE, updated_at = ? WHERE account_id = ?"
                + " AND deleted_at IS NULL", now, now, account);
        // the leases stay: the erasure waits for an attempt under way to end before it deletes its delivery
        jdbc.update("UPDATE deliveries SET status = 'discarded', next_attempt_at = NULL, updated_at = ?"
                + " WHERE account_id = ? AND status IN ('pending', 'held')", now, account);
        accounts.deleting(account);
    }

    private static String validName(String name) {
        if (name == null || name.isBlank()) {
            throw ProblemException.badRequest("'name' is required (1 to 200 characters, not only spaces).");
        }
        if (name.length() > 200) {
            throw ProblemException.badRequest("'name' may be at most 200 characters; this one has " + name.length()
                    + ".");
        }
        if (name.chars().anyMatch(Character::isISOControl)) {
            // a label on one line: a newline or an escape sequence in it forged lines and colours in logs and lists
            throw ProblemException.badRequest("'name' may not contain control characters (line breaks, tabs, escapes).");
        }
        return name;
    }

    private Map<String, Object> view(Map<String, Object> row) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", row.get("id"));
        view.put("name", row.get("name"));
        view.put("metadata", Metadata.read(json, row.get("metadata")));
        view.put("createdAt", Views.instant(row.get("created_at")));
        return view;
    }

    public Map<String, Object> create(@Body byte[] body, Exchange exchange) throws IOException {
        ApiAccess.requireOperator(exchange);
        CreateAccount request = bodies.read(body, CreateAccount.class);
        validName(request.name());
        Map<String, String> metadata = Metadata.check(request.metadata());
        String id = request.id() == null ? Ids.next("acct") : request.id();
        if (!ACCOUNT_ID.matcher(id).matches()) {
            throw ProblemException.badRequest(
                    "'id' may hold letters, digits, '_' and '-' (at most 64), starting with a letter or digit.");
        }
        if (!jdbc.queryForList("SELECT id FROM accounts WHERE id = ? AND deleted_at IS NOT NULL", String.class, id)
                .isEmpty()) {
            throw ProblemException.conflict("Account '" + id + "' was deleted; an account's id is not used again.");
        }
        OffsetDateTime now = Views.now();
        jdbc.update("INSERT INTO accounts (id, name, metadata, created_at) VALUES (?, ?, ?, ?)", id, request.name(),
                Metadata.column(json, metadata), now);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", id);
        view.put("name", request.name());
        view.put("metadata", metadata);
        view.put("createdAt", DateTimeFormatter.ISO_INSTANT.format(now));
        return view;
    }
}

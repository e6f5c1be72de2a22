package io.hookpost.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.hookpost.Ids;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** Bearer keys: issued once in clear, stored only as SHA-256 (they are 256-bit random, no slow hash needed). */
@Component
public class ApiKeys {
    private static final Logger LOG = LoggerFactory.getLogger(ApiKeys.class);
    private final JdbcTemplate jdbc;

    public ApiKeys(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** A key just issued: the only moment its clear text exists outside the caller's hands. */
    public record Issued(String id, String key, String prefix, OffsetDateTime createdAt) {
    }

    /** Issues a key; {@code accountId} null makes an operator key. Returns the key in clear, once. */
    public String issue(String accountId, String description) {
        return issueKey(accountId, description, null).key();
    }

    /**
     * When a key (or portal session) the caller issues expires: when it asked ({@code asked}, null for never), but no
     * later than the caller's own key does, so a key given for a day cannot mint one that outlives it.
     */
    static OffsetDateTime noLaterThanCaller(OffsetDateTime asked, Exchange exchange) {
        Principal caller = exchange.getProperty(Principal.PROPERTY, Principal.class);
        OffsetDateTime callerEnds = caller == null ? null : caller.expiresAt();
        if (callerEnds == null) {
            return asked;
        }
        callerEnds = callerEnds.withOffsetSameInstant(ZoneOffset.UTC);
        return asked == null || asked.isAfter(callerEnds) ? callerEnds : asked;
    }

    /** A key that may do all its account's admin may (an operator key: every account), until {@code expiresAt}. */
    public Issued issueKey(String accountId, String description, OffsetDateTime expiresAt) {
        return insert(accountId == null ? "hpo_" : "hpk_", accountId, description, Principal.Scope.FULL, expiresAt);
    }

    /** A key of the account's portal: it stops working at {@code expiresAt} and may do only what {@code scope} lets. */
    public Issued issuePortalKey(String accountId, Principal.Scope scope, OffsetDateTime expiresAt) {
        // the account's sessions that have ended go as a new one starts: a dashboard asks for a link per visit, and
        // the table holds no more of them than are live
        jdbc.update("DELETE FROM api_keys WHERE account_id = ? AND scope IS NOT NULL AND expires_at <= ?", accountId,
                Views.now());
        return insert("hpp_", accountId, "portal session", scope, expiresAt);
    }

    private Issued insert(String prefix, String accountId, String description, Principal.Scope scope,
                          OffsetDateTime expiresAt) {
        String key = prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(Ids.randomBytes(32));
        Issued issued = new Issued(Ids.next("key"), key, key.substring(0, 8),
                Views.now());
        jdbc.update("INSERT INTO api_keys (id, account_id, key_hash, key_prefix, description, created_at, expires_at,"
                        + " scope) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                issued.id(), accountId, hash(key), issued.prefix(), description, issued.createdAt(), expiresAt,
                scope.column());
        return issued;
    }

    /**
     * The principal a key stands for, if it is a live key (not revoked, not expired). Its use is recorded to the
     * minute (the minute it began): a write a minute at most per key, not one per request.
     */
    public Optional<Principal> lookup(String key) {
        OffsetDateTime now = Views.now();
        List<Live> found = jdbc.query("SELECT id, account_id, scope, expires_at, last_used_at FROM api_keys"
                        + " WHERE key_hash = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)",
                (rs, i) -> new Live(rs.getString(1), rs.getObject(5, OffsetDateTime.class),
                        new Principal(rs.getString(2), Principal.Scope.of(rs.getString(3)),
                                rs.getObject(4, OffsetDateTime.class), rs.getString(1))), hash(key), now);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Live live = found.get(0);
        OffsetDateTime minute = now.truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
        if (live.lastUsed() == null || live.lastUsed().isBefore(minute)) {
            try {
                jdbc.update("UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL"
                        + " OR last_used_at < ?)", minute, live.id(), minute);
            } catch (DataAccessException e) {
                // a note for the key list, not worth failing the request for (a lock wait, say)
                LOG.debug("Key {}: its last use not recorded: {}", live.id(), e.toString());
            }
        }
        return Optional.of(live.principal());
    }

    private record Live(String id, OffsetDateTime lastUsed, Principal principal) {
    }

    /**
     * A page of the live keys (not revoked, not expired) of an account, or with {@code accountId} null the operator
     * keys, newest first; the keys themselves are not stored, only their first characters.
     */
    public Map<String, Object> live(String accountId, Paging.Cursor from, int limit) {
        StringBuilder sql = new StringBuilder("SELECT id, account_id, key_prefix, description, scope, created_at,"
                + " expires_at, last_used_at FROM api_keys WHERE "
                + (accountId == null ? "account_id IS NULL" : "account_id = ?")
                + " AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)");
        List<Object> args = new ArrayList<>();
        if (accountId != null) {
            args.add(accountId);
        }
        args.add(Views.now());
        return Paging.query(jdbc, sql, args, "", from, limit, ApiKeys::view);
    }

    private static Map<String, Object> view(Map<String, Object> row) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", row.get("id"));
        view.put("prefix", row.get("key_prefix"));
        view.put("accountId", row.get("account_id"));
        view.put("description", row.get("description"));
        Principal.Scope scope = Principal.Scope.of((String) row.get("scope"));
        view.put("scope", scope == Principal.Scope.FULL ? "full" : scope.column());
        view.put("createdAt", Views.instant(row.get("created_at")));
        view.put("expiresAt", Views.instant(row.get("expires_at")));
        view.put("lastUsedAt", Views.instant(row.get("last_used_at")));
        return view;
    }

    /**
     * Revokes one of the account's keys (a portal session's too): it answers 401 from the next request on. Revoking a
     * revoked key again changes nothing; another account's key is not found.
     */
    public void revoke(String accountId, String keyId) {
        if (jdbc.update("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND account_id = ? AND revoked_at IS NULL",
                Views.now(), keyId, accountId) == 0
                && count("SELECT COUNT(*) FROM api_keys WHERE id = ? AND account_id = ?", keyId, accountId) == 0) {
            throw ProblemException.notFound("No API key '" + keyId + "' in account '" + accountId + "'.");
        }
    }

    /**
     * Revokes an operator key, but not the last live one that does not expire while no
     * {@code hookpost.security.admin-token} is set: nobody could use the API once the others expired (a start
     * generates a key only when no live one is left). The live operator keys are locked first, so two revocations at
     * once cannot each leave the other's key as the last.
     */
    @Transactional
    public void revokeOperatorKey(String keyId, boolean adminTokenSet) {
        OffsetDateTime now = Views.now();
        List<Map<String, Object>> live = jdbc.queryForList("SELECT id, expires_at FROM api_keys"
                + " WHERE account_id IS NULL AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)"
                + " FOR UPDATE", now);
        if (live.stream().noneMatch(key -> keyId.equals(key.get("id")))) {
            if (count("SELECT COUNT(*) FROM api_keys WHERE id = ? AND account_id IS NULL", keyId) == 0) {
                throw ProblemException.notFound("No operator key '" + keyId + "'.");
            }
            // expired: marked revoked too; revoked already: unchanged
            jdbc.update("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", now, keyId);
            return;
        }
        boolean anotherLasts = live.stream()
                .anyMatch(key -> !keyId.equals(key.get("id")) && key.get("expires_at") == null);
        if (!anotherLasts && !adminTokenSet) {
            throw ProblemException.conflict("'" + keyId + "' is the last operator key that does not expire: issue"
                    + " another (POST /api/v1/api-keys, without expiresAt) before revoking it, or set"
                    + " hookpost.security.admin-token.");
        }
        jdbc.update("UPDATE api_keys SET revoked_at = ? WHERE id = ?", now, keyId);
    }

    private int count(String sql, Object... args) {
        Integer n = jdbc.queryForObject(sql, Integer.class, args);
        return n == null ? 0 : n;
    }

    public boolean anyOperatorKey() {
        // an expired one is none: a start after every operator key expired generates one
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM api_keys WHERE account_id IS NULL AND revoked_at IS NULL"
                + " AND (expires_at IS NULL OR expires_at > ?)", Integer.class, Views.now());
        return n != null && n > 0;
    }

    static String hash(String key) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

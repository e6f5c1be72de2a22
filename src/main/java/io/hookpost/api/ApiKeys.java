package io.hookpost.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import io.hookpost.Ids;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Bearer keys: issued once in clear, stored only as SHA-256 (they are 256-bit random, no slow hash needed). */
@Component
public class ApiKeys {
    private final JdbcTemplate jdbc;

    public ApiKeys(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** A key just issued: the only moment its clear text exists outside the caller's hands. */
    public record Issued(String id, String key, String prefix, OffsetDateTime createdAt) {
    }

    /** Issues a key; {@code accountId} null makes an operator key. Returns the key in clear, once. */
    public String issue(String accountId, String description) {
        return issueKey(accountId, description).key();
    }

    public Issued issueKey(String accountId, String description) {
        return insert(accountId == null ? "hpo_" : "hpk_", accountId, description, Principal.Scope.FULL, null);
    }

    /** A key of the account's portal: it stops working at {@code expiresAt} and may do only what {@code scope} lets. */
    public Issued issuePortalKey(String accountId, Principal.Scope scope, OffsetDateTime expiresAt) {
        // the account's sessions that have ended go as a new one starts: a dashboard asks for a link per visit, and
        // the table holds no more of them than are live
        jdbc.update("DELETE FROM api_keys WHERE account_id = ? AND expires_at <= ?", accountId, Views.now());
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

    /** The principal a key stands for, if it is a live key (not revoked, not expired). */
    public Optional<Principal> lookup(String key) {
        List<Principal> found = jdbc.query(
                "SELECT account_id, scope, expires_at FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL"
                        + " AND (expires_at IS NULL OR expires_at > ?)",
                (rs, i) -> new Principal(rs.getString(1), Principal.Scope.of(rs.getString(2)),
                        rs.getObject(3, OffsetDateTime.class)), hash(key), Views.now());
        return found.stream().findFirst();
    }

    public boolean anyOperatorKey() {
        Integer n = jdbc.queryForObject(
                "SELECT COUNT(*) FROM api_keys WHERE account_id IS NULL AND revoked_at IS NULL", Integer.class);
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

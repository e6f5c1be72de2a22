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
        String prefix = accountId == null ? "hpo_" : "hpk_";
        String key = prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(Ids.randomBytes(32));
        Issued issued = new Issued(Ids.next("key"), key, key.substring(0, 8),
                Views.now());
        jdbc.update("INSERT INTO api_keys (id, account_id, key_hash, key_prefix, description, created_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?)",
                issued.id(), accountId, hash(key), issued.prefix(), description, issued.createdAt());
        return issued;
    }

    /** The principal a key stands for, if it is a live key. */
    public Optional<Principal> lookup(String key) {
        List<Principal> found = jdbc.query(
                "SELECT account_id FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL",
                (rs, i) -> new Principal(rs.getString(1)), hash(key));
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

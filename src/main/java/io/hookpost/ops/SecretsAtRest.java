package io.hookpost.ops;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookpost.AesGcm;
import io.hookpost.HookpostProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Endpoint signing secrets (current, previous and older ones), endpoints' custom headers (which often carry a
 * receiver's credentials) and OAuth clients, and provider connections' credentials as the database holds them: sealed with
 * {@code hookpost.security.encryption-key} when one is set, so a copy or a backup of the database does not give away
 * what signs webhooks and verifies callbacks; as they are when none is set. A sealed value reads
 * {@code hpenc:v1:<key id>:<base64url of nonce, ciphertext and tag>}: AES-256-GCM ({@link AesGcm}: the cipher is the
 * JDK's; only this stored form is Hookpost's own), the key id the first 4 bytes of the key's SHA-256 in hex, so that
 * after a key rotation each value names the key that opens it. Values are opened only where they are used (signing
 * and sending a delivery, verifying a callback, the account admin's views), and a start brings every stored value to
 * the current form ({@link #storeInCurrentForm}).
 */
@Component
public class SecretsAtRest {
    static final String PREFIX = "hpenc:";
    private static final String FORM = PREFIX + "v1:";
    private static final int BATCH = 500;
    private static final Logger LOG = LoggerFactory.getLogger(SecretsAtRest.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<Map<String, String>>> OLDER = new TypeReference<>() { };

    /** Null when values are stored plain. */
    private final String currentId;
    private final Map<String, byte[]> keys = new LinkedHashMap<>();

    @Autowired
    public SecretsAtRest(HookpostProperties properties) {
        this(properties.security());
    }

    SecretsAtRest(HookpostProperties.Security security) {
        String current = security.encryptionKey();
        currentId = current.isEmpty() ? null : add("hookpost.security.encryption-key", current);
        for (String previous : security.previousEncryptionKeys()) {
            add("hookpost.security.previous-encryption-keys", previous);
        }
    }

    private String add(String setting, String key) {
        byte[] bytes = HookpostProperties.Security.keyBytes(setting, key);
        String id = keyId(bytes);
        keys.putIfAbsent(id, bytes);
        return id;
    }

    static String keyId(byte[] key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key), 0, 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The stored form of a value: sealed with the current key, or the value itself when none is set; null stays null. */
    public String seal(String value) {
        if (value == null || currentId == null) {
            return value;
        }
        return FORM + currentId + ":" + Base64.getUrlEncoder().withoutPadding().encodeToString(
                AesGcm.seal(keys.get(currentId), value.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * The value a stored one holds: opened with the key it names when sealed, itself when stored plain; null stays
     * null. A value sealed with a key not configured, or changed since, is an error: nothing may sign with a wrong key.
     */
    public String reveal(String stored) {
        if (stored == null || !stored.startsWith(PREFIX)) {
            return stored;
        }
        int colon = stored.indexOf(':', FORM.length());
        if (!stored.startsWith(FORM) || colon < 0) {
            throw new Unreadable("A secret in the database is sealed in a form this Hookpost does not know ("
                    + stored.substring(0, Math.min(stored.length(), FORM.length() + 3)) + "…)", false, null);
        }
        String id = stored.substring(FORM.length(), colon);
        byte[] key = keys.get(id);
        if (key == null) {
            throw new Unreadable("A secret in the database is sealed with encryption key " + id + ", which"
                    + " is neither hookpost.security.encryption-key nor one of hookpost.security.previous-encryption-keys"
                    + (keys.isEmpty() ? " (none is set)" : " (set: " + String.join(", ", keys.keySet()) + ")")
                    + ": set the key it was sealed with", false, null);
        }
        try {
            return new String(AesGcm.open(key, Base64.getUrlDecoder().decode(stored.substring(colon + 1))),
                    StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new Unreadable("A secret in the database sealed with encryption key " + id
                    + " does not open with it: it was changed or cut short", true, e);
        }
    }

    /** A stored value that does not open: sealed in an unknown form, with a key not configured, or changed since. */
    public static final class Unreadable extends IllegalStateException {
        private final boolean changed;

        Unreadable(String message, boolean changed, Throwable cause) {
            super(message, cause);
            this.changed = changed;
        }

        /** Sealed with a key Hookpost has, and does not open with it: no key set would open it. */
        public boolean changed() {
            return changed;
        }
    }

    /** Whether a stored value is in the current form: sealed with the current key, or plain when none is set. */
    boolean current(String stored) {
        if (stored == null) {
            return true;
        }
        return currentId == null ? !stored.startsWith(PREFIX) : stored.startsWith(FORM + currentId + ":");
    }

    private String inCurrentForm(String stored) {
        return current(stored) ? stored : seal(reveal(stored));
    }

    /**
     * {@link #inCurrentForm(String)} for the start: a value that does not open (changed) is left as stored and named
     * in a WARN line (one bad row must not keep every endpoint from being sent to; the API offers the way out); a
     * value sealed with a key not set, or in an unknown form, stops the start naming its row.
     */
    private String inCurrentForm(String stored, String what, String remedy) {
        try {
            return inCurrentForm(stored);
        } catch (Unreadable unreadable) {
            if (!unreadable.changed()) {
                throw new IllegalStateException(unreadable.getMessage() + " (" + what + ", perhaps not the only one)",
                        unreadable);
            }
            LOG.warn("{}: {}; it is left as stored, and nothing is signed or sent with it: {}", what,
                    unreadable.getMessage(), remedy);
            return stored;
        }
    }

    /** The endpoints and provider connections whose stored values {@link #storeInCurrentForm} changed. */
    public record Restored(int endpoints, int connections) {
    }

    /**
     * Brings every stored secret and credential to the current form, before the start goes on: seals plain ones when
     * a key is set, seals again those a previous key sealed, stores plain again those a previous key sealed when
     * none is set. A value sealed with a key not configured stops the start ({@link #reveal}). Each row is written
     * only if it still holds what was read (another instance may have rotated the secret meanwhile).
     */
    public Restored storeInCurrentForm(DataSource dataSource) {
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        List<Object[]> endpoints = new ArrayList<>();
        jdbc.query("SELECT id, account_id, secret, previous_secret, older_secrets, headers, oauth FROM endpoints WHERE "
                + notCurrent("secret") + " OR " + notCurrent("previous_secret") + " OR " + notCurrent("headers")
                + " OR " + notCurrent("oauth") + " OR older_secrets IS NOT NULL", row -> {
                    String secret = row.getString("secret");
                    String previous = row.getString("previous_secret");
                    String older = row.getString("older_secrets");
                    String headers = row.getString("headers");
                    String oauth = row.getString("oauth");
                    String endpoint = "Endpoint " + row.getString("id") + " of account " + row.getString("account_id");
                    String rotate = "rotate its secret (POST /api/v1/accounts/" + row.getString("account_id")
                            + "/endpoints/" + row.getString("id") + "/rotate-secret)";
                    String olderNow = olderInCurrentForm(older, endpoint + ", an older secret", rotate);
                    String[] now = {
                        inCurrentForm(secret, endpoint + ", its secret", rotate),
                        inCurrentForm(previous, endpoint + ", its previous secret", rotate),
                        inCurrentForm(headers, endpoint + ", its custom headers",
                                "set them again (PATCH the endpoint's headers)"),
                        inCurrentForm(oauth, endpoint + ", its OAuth client", "set it again (PATCH the endpoint's oauth)")};
                    if (!Objects.equals(secret, now[0]) || !Objects.equals(previous, now[1])
                            || !Objects.equals(headers, now[2]) || !Objects.equals(oauth, now[3])
                            || !Objects.equals(older, olderNow)) {
                        endpoints.add(new Object[] {now[0], now[1], olderNow, now[2], now[3], row.getString("id"),
                                secret, previous, older, headers, oauth});
                    }
                });
        List<Object[]> connections = new ArrayList<>();
        jdbc.query("SELECT id, account_id, credentials, previous_credentials FROM provider_connections WHERE "
                + notCurrent("credentials") + " OR " + notCurrent("previous_credentials"), row -> {
                    String credentials = row.getString("credentials");
                    String previous = row.getString("previous_credentials");
                    String connection = "Provider connection " + row.getString("id") + " of account "
                            + row.getString("account_id");
                    String remedy = "its callbacks cannot be verified until its credentials are set again (PATCH"
                            + " /api/v1/accounts/" + row.getString("account_id") + "/providers/" + row.getString("id")
                            + ")";
                    String now = inCurrentForm(credentials, connection + ", its credentials", remedy);
                    String previousNow = inCurrentForm(previous, connection + ", its previous credentials", remedy);
                    if (!Objects.equals(credentials, now) || !Objects.equals(previous, previousNow)) {
                        connections.add(new Object[] {now, previousNow, row.getString("id"), credentials, previous});
                    }
                });
        int endpointsWritten = write(jdbc, "UPDATE endpoints SET secret = ?, previous_secret = ?, older_secrets = ?,"
                + " headers = ?, oauth = ? WHERE id = ? AND secret IS NOT DISTINCT FROM ?"
                + " AND previous_secret IS NOT DISTINCT FROM ? AND older_secrets IS NOT DISTINCT FROM ?"
                + " AND headers IS NOT DISTINCT FROM ? AND oauth IS NOT DISTINCT FROM ?", endpoints);
        int connectionsWritten = write(jdbc, "UPDATE provider_connections SET credentials = ?,"
                + " previous_credentials = ? WHERE id = ? AND credentials = ?"
                + " AND previous_credentials IS NOT DISTINCT FROM ?", connections);
        if (currentId != null) {
            LOG.info("Endpoint secrets, headers and OAuth clients and provider credentials are stored sealed with"
                    + " encryption key {}",
                    currentId);
        }
        if (endpointsWritten + connectionsWritten > 0) {
            LOG.info("Stored secrets brought to the current form ({}): {} endpoints, {} provider connections",
                    currentId == null ? "plain, no hookpost.security.encryption-key set"
                            : "sealed with encryption key " + currentId, endpointsWritten, connectionsWritten);
        }
        return new Restored(endpointsWritten, connectionsWritten);
    }

    /** Rows whose column may need a change; older_secrets (JSON) is looked at in Java. */
    private String notCurrent(String column) {
        // key ids are hex: nothing in the pattern is a LIKE wildcard
        return currentId == null ? column + " LIKE '" + PREFIX + "%'"
                : "(" + column + " IS NOT NULL AND " + column + " NOT LIKE '" + FORM + currentId + ":%')";
    }

    private String olderInCurrentForm(String older, String what, String remedy) {
        if (older == null) {
            return null;
        }
        try {
            List<Map<String, String>> entries = JSON.readValue(older, OLDER);
            if (entries.stream().allMatch(entry -> current(entry.get("secret")))) {
                return older;
            }
            for (Map<String, String> entry : entries) {
                entry.put("secret", inCurrentForm(entry.get("secret"), what, remedy));
            }
            return JSON.writeValueAsString(entries);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("older_secrets of an endpoint is not a JSON array", e);
        }
    }

    private static int write(JdbcTemplate jdbc, String sql, List<Object[]> rows) {
        int written = 0;
        for (int from = 0; from < rows.size(); from += BATCH) {
            for (int count : jdbc.batchUpdate(sql, rows.subList(from, Math.min(rows.size(), from + BATCH)))) {
                written += Math.max(count, 0);
            }
        }
        return written;
    }
}

package io.hookpost.ops;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import io.hookpost.HookpostProperties;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Secrets sealed at rest: what a sealed value looks like and what opens it, and a start bringing the stored secrets
 * of a database (Hookpost's migrations on an H2 of its own, in PostgreSQL mode as the embedded default runs it) to the
 * current form: sealed, sealed again under a new key, plain again, or refused.
 */
class SecretsAtRestTest {
    static final String KEY_A = newKey();
    static final String KEY_B = newKey();
    /** The longest secret the API takes: whsec_ and the base64 of 64 bytes. */
    private static final String LONGEST = "whsec_" + Base64.getEncoder().encodeToString(bytes(64));
    private static final String OLDER = "whsec_" + Base64.getEncoder().encodeToString(bytes(32));
    private static final String PREVIOUS = "whsec_" + Base64.getEncoder().encodeToString(bytes(24));
    private static final String CREDENTIALS = "{\"secret\":\"provider-secret-0123456789abcdef\"}";
    private static final String PREVIOUS_CREDENTIALS = "{\"secret\":\"previous-provider-secret-0123456789\"}";
    private static final String HEADERS = "{\"Authorization\":\"Bearer receiver-token-0123456789\"}";
    private static final String OAUTH = "{\"tokenUrl\":\"https://auth.example.com/token\",\"clientId\":\"hookpost\","
            + "\"clientSecret\":\"oauth-client-secret-0123456789\"}";

    private DataSource dataSource;
    private JdbcTemplate db;

    static String newKey() {
        return Base64.getEncoder().encodeToString(bytes(32));
    }

    private static byte[] bytes(int count) {
        byte[] bytes = new byte[count];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    static SecretsAtRest secrets(String key, String... previous) {
        return new SecretsAtRest(new HookpostProperties.Security("", Duration.ofDays(1), key, List.of(previous)));
    }

    static String keyId(String key) {
        return SecretsAtRest.keyId(Base64.getDecoder().decode(key));
    }

    @Test
    void a_sealed_secret_shows_nothing_of_it_fits_its_column_and_opens_to_it() {
        SecretsAtRest sealing = secrets(KEY_A);
        String sealed = sealing.seal(LONGEST);

        assertThat(sealed).startsWith("hpenc:v1:" + keyId(KEY_A) + ":")
                .doesNotContain(LONGEST.substring(6, 30))
                .hasSizeLessThanOrEqualTo(200); // endpoints.secret is VARCHAR(200)
        assertThat(sealing.seal(LONGEST)).as("a fresh nonce each time").isNotEqualTo(sealed);
        assertThat(sealing.reveal(sealed)).isEqualTo(LONGEST);
        assertThat(secrets(KEY_B, KEY_A).reveal(sealed)).as("opened by a previous key").isEqualTo(LONGEST);
        assertThat(sealing.reveal(PREVIOUS)).as("a secret stored plain is read as it is").isEqualTo(PREVIOUS);
        assertThat(sealing.seal(null)).isNull();
        assertThat(sealing.reveal(null)).isNull();
    }

    @Test
    void without_a_key_secrets_are_stored_as_they_are() {
        SecretsAtRest plain = secrets("");
        assertThat(plain.seal(LONGEST)).isEqualTo(LONGEST);
        assertThat(plain.reveal(LONGEST)).isEqualTo(LONGEST);
    }

    @Test
    void a_sealed_secret_changed_or_sealed_with_a_key_not_set_is_refused_naming_what_to_do() {
        String sealed = secrets(KEY_A).seal(LONGEST);
        int last = sealed.length() - 5;
        String changed = sealed.substring(0, last) + (sealed.charAt(last) == 'A' ? 'B' : 'A') + sealed.substring(last + 1);

        assertThatThrownBy(() -> secrets(KEY_A).reveal(changed)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("does not open with it");
        assertThatThrownBy(() -> secrets(KEY_B).reveal(sealed)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sealed with encryption key " + keyId(KEY_A))
                .hasMessageContaining("hookpost.security.encryption-key")
                .hasMessageContaining("hookpost.security.previous-encryption-keys")
                .hasMessageNotContaining(KEY_B);
        assertThatThrownBy(() -> secrets("").reveal(sealed)).hasMessageContaining("(none is set)");
    }

    @Test
    void a_key_that_is_not_the_base64_of_32_bytes_stops_the_start_naming_the_setting() {
        assertThatThrownBy(() -> secrets("c2hvcnQ=")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("hookpost.security.encryption-key must be the base64 of 32 random bytes (openssl rand"
                        + " -base64 32), or empty");
        assertThatThrownBy(() -> secrets(KEY_A, "not base64!")).hasMessageStartingWith(
                "hookpost.security.previous-encryption-keys must be the base64 of 32 random bytes");
    }

    @Test
    void a_start_seals_what_is_stored_plain_seals_again_under_a_new_key_and_stores_plain_again_without_one() {
        storedSecretsComeToTheCurrentForm(h2(), "h2");
    }

    private static DataSource h2() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:secrets-" + System.nanoTime()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1");
        return h2;
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void a_start_leaves_a_value_that_does_not_open_naming_its_row_and_stops_naming_one_sealed_with_a_key_not_set(
            CapturedOutput output) {
        migratedWithSecrets(h2(), "h2");
        secrets(KEY_A).storeInCurrentForm(dataSource);
        String changedHeaders = changed((String) endpoint().get("headers"));
        String changedCredentials = changed(credentials());
        db.update("UPDATE endpoints SET headers = ? WHERE id = 'ep_1'", changedHeaders);
        db.update("UPDATE provider_connections SET credentials = ? WHERE id = 'prv_1'", changedCredentials);

        SecretsAtRest underB = secrets(KEY_B, KEY_A);
        assertThat(underB.storeInCurrentForm(dataSource))
                .as("the endpoint's other values and the connection's previous credentials sealed again under B")
                .isEqualTo(new SecretsAtRest.Restored(1, 1));
        Map<String, Object> row = endpoint();
        assertThat(underB.reveal((String) row.get("secret"))).isEqualTo(LONGEST);
        assertThat((String) row.get("secret")).startsWith("hpenc:v1:" + keyId(KEY_B) + ":");
        assertThat(row.get("headers")).as("left as stored").isEqualTo(changedHeaders);
        assertThat(credentials()).isEqualTo(changedCredentials);
        assertThat(previousCredentials()).startsWith("hpenc:v1:" + keyId(KEY_B) + ":");
        assertThat(output.getAll())
                .contains("Endpoint ep_1 of account acme, its custom headers: A secret in the database sealed with"
                        + " encryption key " + keyId(KEY_A) + " does not open with it")
                .contains("set them again (PATCH the endpoint's headers)")
                .contains("Provider connection prv_1 of account acme, its credentials: A secret")
                .contains("until its credentials are set again (PATCH /api/v1/accounts/acme/providers/prv_1)")
                .doesNotContain(KEY_A).doesNotContain(KEY_B).doesNotContain("receiver-token");
        assertThat(underB.storeInCurrentForm(dataSource)).as("the next start writes nothing")
                .isEqualTo(new SecretsAtRest.Restored(0, 0));

        assertThatThrownBy(() -> secrets(KEY_B).storeInCurrentForm(dataSource))
                .as("A's key dropped while a value sealed with it stays: the start stops naming its row")
                .hasMessageContaining("sealed with encryption key " + keyId(KEY_A))
                .hasMessageContaining("(Endpoint ep_1 of account acme, its custom headers, perhaps not the only one)");
    }

    /** The stored value with one character of its ciphertext changed. */
    private static String changed(String sealed) {
        int at = sealed.length() - 5;
        return sealed.substring(0, at) + (sealed.charAt(at) == 'A' ? 'B' : 'A') + sealed.substring(at + 1);
    }

    /** Hookpost's migrations run on {@code database}, an account with an endpoint and a provider connection stored plain. */
    private void migratedWithSecrets(DataSource database, String vendor) {
        dataSource = database;
        db = new JdbcTemplate(database);
        Flyway.configure().dataSource(database).locations("classpath:db/migration", "classpath:db/vendor/" + vendor)
                .load().migrate();
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        db.update("INSERT INTO accounts (id, name, created_at) VALUES ('acme', 'Acme', ?)", now);
        String older = "[{\"secret\":\"" + OLDER + "\",\"expiresAt\":\"" + now.plusHours(1) + "\"}]";
        db.update("INSERT INTO endpoints (id, account_id, url, signature_scheme, secret, previous_secret,"
                + " previous_secret_expires_at, older_secrets, headers, oauth, active, created_at, updated_at) VALUES"
                + " ('ep_1', 'acme', 'https://example.com/a', 'standard-webhooks', ?, ?, ?, ?, ?, ?, TRUE, ?, ?)",
                LONGEST, PREVIOUS, now.plusHours(2), older, HEADERS, OAUTH, now, now);
        db.update("INSERT INTO endpoints (id, account_id, url, signature_scheme, active, created_at, updated_at,"
                + " deleted_at) VALUES ('ep_2', 'acme', 'https://example.com/b', 'none', TRUE, ?, ?, ?)", now, now, now);
        db.update("INSERT INTO provider_connections (id, account_id, provider, credentials, previous_credentials,"
                + " previous_valid_until, created_at) VALUES ('prv_1', 'acme', 'email-status', ?, ?, ?, ?)",
                CREDENTIALS, PREVIOUS_CREDENTIALS, now.plusHours(1), now);
    }

    /** The scenario on a database Hookpost's migrations (with those of {@code vendor}) are run on first. */
    void storedSecretsComeToTheCurrentForm(DataSource database, String vendor) {
        migratedWithSecrets(database, vendor);

        assertThat(secrets("").storeInCurrentForm(dataSource)).as("nothing to do without a key")
                .isEqualTo(new SecretsAtRest.Restored(0, 0));

        SecretsAtRest underA = secrets(KEY_A);
        assertThat(underA.storeInCurrentForm(dataSource)).isEqualTo(new SecretsAtRest.Restored(1, 1));
        assertStored("hpenc:v1:" + keyId(KEY_A) + ":", underA);
        Map<String, Object> sealedUnderA = endpoint();
        assertThat(underA.storeInCurrentForm(dataSource)).as("a second start changes nothing")
                .isEqualTo(new SecretsAtRest.Restored(0, 0));
        assertThat(endpoint()).isEqualTo(sealedUnderA);

        assertThatThrownBy(() -> secrets(KEY_B).storeInCurrentForm(dataSource))
                .as("a new key without the old one: the start stops")
                .hasMessageContaining("sealed with encryption key " + keyId(KEY_A));
        assertThat(endpoint()).as("and nothing changed").isEqualTo(sealedUnderA);

        SecretsAtRest underB = secrets(KEY_B, KEY_A);
        assertThat(underB.storeInCurrentForm(dataSource)).isEqualTo(new SecretsAtRest.Restored(1, 1));
        assertStored("hpenc:v1:" + keyId(KEY_B) + ":", underB);

        SecretsAtRest plainAgain = secrets("", KEY_B);
        assertThat(plainAgain.storeInCurrentForm(dataSource)).isEqualTo(new SecretsAtRest.Restored(1, 1));
        Map<String, Object> row = endpoint();
        assertThat(row.get("secret")).isEqualTo(LONGEST);
        assertThat(row.get("previous_secret")).isEqualTo(PREVIOUS);
        assertThat((String) row.get("older_secrets")).contains("\"secret\":\"" + OLDER + "\"");
        assertThat(row.get("headers")).isEqualTo(HEADERS);
        assertThat(row.get("oauth")).isEqualTo(OAUTH);
        assertThat(credentials()).isEqualTo(CREDENTIALS);
        assertThat(previousCredentials()).isEqualTo(PREVIOUS_CREDENTIALS);
    }

    private void assertStored(String form, SecretsAtRest secrets) {
        Map<String, Object> row = endpoint();
        assertThat((String) row.get("secret")).startsWith(form).doesNotContain(LONGEST.substring(6));
        assertThat((String) row.get("previous_secret")).startsWith(form).doesNotContain(PREVIOUS.substring(6));
        assertThat((String) row.get("older_secrets")).contains("\"secret\":\"" + form).doesNotContain(OLDER.substring(6))
                .contains("expiresAt");
        assertThat(secrets.reveal((String) row.get("secret"))).isEqualTo(LONGEST);
        assertThat(secrets.reveal((String) row.get("previous_secret"))).isEqualTo(PREVIOUS);
        assertThat((String) row.get("headers")).startsWith(form).doesNotContain("receiver-token");
        assertThat(secrets.reveal((String) row.get("headers"))).isEqualTo(HEADERS);
        assertThat((String) row.get("oauth")).startsWith(form).doesNotContain("oauth-client-secret");
        assertThat(secrets.reveal((String) row.get("oauth"))).isEqualTo(OAUTH);
        assertThat(credentials()).startsWith(form).doesNotContain("provider-secret");
        assertThat(secrets.reveal(credentials())).isEqualTo(CREDENTIALS);
        assertThat(previousCredentials()).startsWith(form).doesNotContain("previous-provider-secret");
        assertThat(secrets.reveal(previousCredentials())).isEqualTo(PREVIOUS_CREDENTIALS);
        assertThat(db.queryForObject("SELECT secret FROM endpoints WHERE id = 'ep_2'", String.class))
                .as("an endpoint without a secret keeps none").isNull();
    }

    private Map<String, Object> endpoint() {
        return db.queryForMap("SELECT secret, previous_secret, older_secrets, headers, oauth FROM endpoints"
                + " WHERE id = 'ep_1'");
    }

    private String credentials() {
        return db.queryForObject("SELECT credentials FROM provider_connections WHERE id = 'prv_1'", String.class);
    }

    private String previousCredentials() {
        return db.queryForObject("SELECT previous_credentials FROM provider_connections WHERE id = 'prv_1'",
                String.class);
    }
}

package io.hookpost.api;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookpost.HookpostProperties;
import io.hookpost.Ids;
import io.hookpost.inbound.Provider;
import io.hookpost.inbound.SendGridSignatureVerifier;
import io.hookpost.ops.SecretsAtRest;
import io.hookpost.outbound.WebhookSigner;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Provider connections of an account: which provider, the credentials that verify its callbacks, and the
 * inbound URL to give the provider. Credentials are write-only: no answer ever contains them (their names only),
 * except a secret Hookpost generated for its own schemes, shown once when it is made. They can be changed in place,
 * the inbound URL kept, with a grace period during which the replaced ones verify callbacks too.
 */
@Component("providerApi")
public class ProviderApi {
    public record CreateConnection(String provider, Map<String, String> credentials) {
    }

    public record UpdateConnection(Map<String, String> credentials, Long gracePeriodSeconds) {
    }

    /** As an endpoint's rotate-secret allows. */
    private static final long MAX_GRACE_SECONDS = 7 * 24 * 3600;
    private static final String COLUMNS = "id, provider, credentials, created_at, updated_at,"
            + " CASE WHEN previous_valid_until > ? THEN previous_valid_until END AS previous_valid_until";

    private final JdbcTemplate jdbc;
    private final RequestBodies bodies;
    private final ObjectMapper json;
    private final String publicBaseUrl;
    private final SecretsAtRest secrets;
    /** A secret given for Hookpost's own schemes: as long as the shortest endpoint secret (whsec_ + 24 bytes). */
    static final int MIN_OWN_SECRET_LENGTH = 24;

    public ProviderApi(JdbcTemplate jdbc, RequestBodies bodies, ObjectMapper json, HookpostProperties properties,
                       SecretsAtRest secrets) {
        this.jdbc = jdbc;
        this.secrets = secrets;
        this.bodies = bodies;
        this.json = json;
        this.publicBaseUrl = properties.inbound().publicBase();
    }

    public Map<String, Object> create(@Header("acct") String account, @Body byte[] body, Exchange exchange)
            throws IOException {
        CreateConnection request = bodies.read(body, CreateConnection.class);
        Provider provider = Provider.fromApiName(request.provider()).orElseThrow(() -> ProblemException.badRequest(
                "'provider' must be one of " + Provider.names() + "."));
        Map<String, String> credentials = checked(provider, request.credentials());
        String generated = generateOwnSecret(provider, credentials);

        String id = Ids.next("prv");
        OffsetDateTime now = Views.now();
        jdbc.update("INSERT INTO provider_connections (id, account_id, provider, credentials, created_at)"
                + " VALUES (?, ?, ?, ?, ?)", id, account, provider.apiName(),
                secrets.seal(json.writeValueAsString(credentials)), now);
        return view(id, provider.apiName(), credentials.keySet(), now, null, null, generated, exchange);
    }

    /**
     * {@code PATCH …/providers/{connectionId} {credentials, gracePeriodSeconds?}}: the connection's credentials
     * replaced whole (checked as at creation; for Hookpost's own schemes a new secret is generated when none is given,
     * shown in this answer once), its inbound URL kept, so the provider need not be pointed elsewhere. With a grace
     * period the replaced credentials verify callbacks too until it ends, while the provider switches over (Twilio's
     * secondary auth token promoted, a SendGrid key regenerated); with 0, the default, they stop at once. A change
     * during a grace period ends that one: only the credentials just replaced stay valid.
     */
    @Transactional
    public Map<String, Object> update(@Header("acct") String account, @Header("connectionId") String id,
                                      @Body byte[] body, Exchange exchange) throws IOException {
        UpdateConnection request = bodies.read(body, UpdateConnection.class);
        if (request.credentials() == null) {
            throw ProblemException.badRequest("'credentials' is required: the connection's new credentials, whole.");
        }
        long grace = request.gracePeriodSeconds() == null ? 0 : request.gracePeriodSeconds();
        if (grace < 0 || grace > MAX_GRACE_SECONDS) {
            throw ProblemException.badRequest("'gracePeriodSeconds' must be from 0 to " + MAX_GRACE_SECONDS
                    + " (7 days).");
        }
        // locked: two changes at once would each keep the same credentials as the previous ones
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT provider, credentials, created_at"
                + " FROM provider_connections WHERE id = ? AND account_id = ? AND deleted_at IS NULL FOR UPDATE",
                id, account);
        if (rows.isEmpty()) {
            throw noConnection(account, id);
        }
        Map<String, Object> row = rows.get(0);
        Provider provider = Provider.fromApiName((String) row.get("provider")).orElseThrow();
        Map<String, String> credentials = checked(provider, request.credentials());
        String generated = generateOwnSecret(provider, credentials);
        OffsetDateTime now = Views.now();
        OffsetDateTime previousUntil = grace == 0 ? null : now.plusSeconds(grace);
        jdbc.update("UPDATE provider_connections SET credentials = ?, previous_credentials = ?,"
                + " previous_valid_until = ?, updated_at = ? WHERE id = ?",
                secrets.seal(json.writeValueAsString(credentials)),
                previousUntil == null ? null : row.get("credentials"), previousUntil, now, id);
        return view(id, provider.apiName(), credentials.keySet(), Views.time(row.get("created_at")), now,
                previousUntil, generated, exchange);
    }

    /** {@code GET …/providers/{connectionId}}: one connection, as the list shows it. */
    public Map<String, Object> get(@Header("acct") String account, @Header("connectionId") String id,
                                   Exchange exchange) throws IOException {
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT " + COLUMNS + " FROM provider_connections"
                + " WHERE id = ? AND account_id = ? AND deleted_at IS NULL", Views.now(), id, account);
        if (rows.isEmpty()) {
            throw noConnection(account, id);
        }
        return view(rows.get(0), exchange);
    }

    private static ProblemException noConnection(String account, String id) {
        return ProblemException.notFound("No provider connection '" + id + "' in account '" + account + "'.");
    }

    /** The credentials given, checked against what the provider's verification takes; 400 naming what is wrong. */
    private static Map<String, String> checked(Provider provider, Map<String, String> given) {
        Map<String, String> credentials = new LinkedHashMap<>(given == null ? Map.of() : given);
        for (Map.Entry<String, String> credential : credentials.entrySet()) {
            if (!provider.requiredCredentials().contains(credential.getKey())
                    && !provider.optionalCredentials().contains(credential.getKey())) {
                throw ProblemException.badRequest("'credentials." + credential.getKey() + "' is not used by "
                        + provider.apiName() + "; it takes " + describe(provider) + ".");
            }
            if (credential.getValue() == null || credential.getValue().isBlank() || credential.getValue().length() > 1000) {
                throw ProblemException.badRequest("'credentials." + credential.getKey() + "' must be 1 to 1000 characters.");
            }
        }
        for (String name : provider.requiredCredentials()) {
            if (!credentials.containsKey(name)) {
                throw ProblemException.badRequest("'credentials." + name + "' is required for " + provider.apiName()
                        + "; it takes " + describe(provider) + ".");
            }
        }
        if (provider == Provider.SENDGRID_INBOUND_PARSE && !credentials.containsKey("publicKey")
                && !(credentials.containsKey("username") && credentials.containsKey("password"))) {
            throw ProblemException.badRequest("sendgrid-inbound-parse needs 'credentials.publicKey' (signed webhooks)"
                    + " or 'credentials.username' and 'credentials.password' (basic auth).");
        }
        if (credentials.containsKey("publicKey") && !SendGridSignatureVerifier.isValidKey(credentials.get("publicKey"))) {
            throw ProblemException.badRequest("'credentials.publicKey' must be SendGrid's verification key as its settings"
                    + " show it: the base64 of an EC P-256 public key.");
        }
        if (provider == Provider.SENDGRID_INBOUND_PARSE && credentials.containsKey("publicKey")
                && credentials.containsKey("username")) {
            // with a key, only signed posts are taken: basic auth given beside it would never be asked for
            throw ProblemException.badRequest("sendgrid-inbound-parse takes 'credentials.publicKey' (signed webhooks)"
                    + " or 'credentials.username' and 'credentials.password' (basic auth), not both.");
        }
        if (credentials.containsKey("username") != credentials.containsKey("password")) {
            throw ProblemException.badRequest("'credentials.username' and 'credentials.password' go together.");
        }
        if (provider.ownScheme() && credentials.containsKey("secret")
                && credentials.get("secret").length() < MIN_OWN_SECRET_LENGTH) {
            throw ProblemException.badRequest("'credentials.secret' must be at least " + MIN_OWN_SECRET_LENGTH
                    + " characters: it is all that authenticates the callbacks. Leave it out and Hookpost generates one.");
        }
        return credentials;
    }

    /** For Hookpost's own schemes given no secret: one generated and put in, to be shown once; otherwise null. */
    private static String generateOwnSecret(Provider provider, Map<String, String> credentials) {
        if (!provider.ownScheme() || credentials.containsKey("secret")) {
            return null;
        }
        String generated = WebhookSigner.newSecret();
        credentials.put("secret", generated);
        return generated;
    }

    public List<Map<String, Object>> list(@Header("acct") String account, Exchange exchange) throws IOException {
        List<Map<String, Object>> views = new ArrayList<>();
        for (Map<String, Object> row : jdbc.queryForList("SELECT " + COLUMNS + " FROM provider_connections"
                + " WHERE account_id = ? AND deleted_at IS NULL ORDER BY created_at, id", Views.now(), account)) {
            views.add(view(row, exchange));
        }
        return views;
    }

    public void delete(@Header("acct") String account, @Header("connectionId") String id) {
        int deleted = jdbc.update("UPDATE provider_connections SET deleted_at = ? WHERE id = ? AND account_id = ?"
                + " AND deleted_at IS NULL", OffsetDateTime.now(ZoneOffset.UTC), id, account);
        if (deleted == 0) {
            throw noConnection(account, id);
        }
    }

    private Map<String, Object> view(Map<String, Object> row, Exchange exchange) throws IOException {
        Map<String, String> credentials = json.readValue(secrets.reveal((String) row.get("credentials")),
                new TypeReference<Map<String, String>>() { });
        return view((String) row.get("id"), (String) row.get("provider"), credentials.keySet(),
                Views.time(row.get("created_at")), Views.time(row.get("updated_at")),
                Views.time(row.get("previous_valid_until")), null, exchange);
    }

    private Map<String, Object> view(String id, String provider, Collection<String> credentialNames,
                                     OffsetDateTime createdAt, OffsetDateTime updatedAt, OffsetDateTime previousUntil,
                                     String generatedSecret, Exchange exchange) {
        String path = "/inbound/" + provider + "/" + id;
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", id);
        view.put("provider", provider);
        view.put("inboundPath", path);
        view.put("inboundUrl", base(exchange) + path);
        // which credentials are set (sendgrid-inbound-parse: a key or basic auth), never their values
        view.put("credentialNames", new TreeSet<>(credentialNames));
        if (generatedSecret != null) {
            view.put("secret", generatedSecret); // shown this once
        }
        view.put("previousCredentialsValidUntil", Views.instant(previousUntil));
        view.put("createdAt", Views.instant(createdAt));
        view.put("updatedAt", Views.instant(updatedAt == null ? createdAt : updatedAt));
        return view;
    }

    /** Where providers reach this Hookpost: the configured public base URL, or the host this call came to. */
    private String base(Exchange exchange) {
        return Views.publicBase(publicBaseUrl, exchange);
    }

    private static String describe(Provider provider) {
        List<String> names = new ArrayList<>(provider.requiredCredentials());
        provider.optionalCredentials().forEach(n -> names.add(n + " (optional)"));
        return String.join(", ", names);
    }
}

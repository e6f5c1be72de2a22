package io.hookpost.api;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

/**
 * Provider connections of an account: which provider, the credentials that verify its callbacks, and the
 * inbound URL to give the provider. Credentials are write-only: no answer ever contains them, except a
 * secret Hookpost generated for its own schemes, shown once at creation.
 */
@Component("providerApi")
public class ProviderApi {
    public record CreateConnection(String provider, Map<String, String> credentials) {
    }

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
        Map<String, String> credentials = new LinkedHashMap<>(
                request.credentials() == null ? Map.of() : request.credentials());
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
        if (credentials.containsKey("username") != credentials.containsKey("password")) {
            throw ProblemException.badRequest("'credentials.username' and 'credentials.password' go together.");
        }
        if (provider.ownScheme() && credentials.containsKey("secret")
                && credentials.get("secret").length() < MIN_OWN_SECRET_LENGTH) {
            throw ProblemException.badRequest("'credentials.secret' must be at least " + MIN_OWN_SECRET_LENGTH
                    + " characters: it is all that authenticates the callbacks. Leave it out and Hookpost generates one.");
        }
        String generated = null;
        if (provider.ownScheme() && !credentials.containsKey("secret")) {
            generated = WebhookSigner.newSecret();
            credentials.put("secret", generated);
        }

        String id = Ids.next("prv");
        OffsetDateTime now = Views.now();
        jdbc.update("INSERT INTO provider_connections (id, account_id, provider, credentials, created_at)"
                + " VALUES (?, ?, ?, ?, ?)", id, account, provider.apiName(),
                secrets.seal(json.writeValueAsString(credentials)), now);
        Map<String, Object> view = view(id, provider.apiName(), now, exchange);
        if (generated != null) {
            view.put("secret", generated); // shown this once
        }
        return view;
    }

    public List<Map<String, Object>> list(@Header("acct") String account, Exchange exchange) {
        List<Map<String, Object>> views = new ArrayList<>();
        jdbc.queryForList("SELECT id, provider, created_at FROM provider_connections WHERE account_id = ?"
                + " AND deleted_at IS NULL ORDER BY created_at, id", account).forEach(row -> views.add(
                view((String) row.get("id"), (String) row.get("provider"), Views.time(row.get("created_at")), exchange)));
        return views;
    }

    public void delete(@Header("acct") String account, @Header("connectionId") String id) {
        int deleted = jdbc.update("UPDATE provider_connections SET deleted_at = ? WHERE id = ? AND account_id = ?"
                + " AND deleted_at IS NULL", OffsetDateTime.now(ZoneOffset.UTC), id, account);
        if (deleted == 0) {
            throw ProblemException.notFound("No provider connection '" + id + "' in account '" + account + "'.");
        }
    }

    private Map<String, Object> view(String id, String provider, OffsetDateTime createdAt, Exchange exchange) {
        String path = "/inbound/" + provider + "/" + id;
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", id);
        view.put("provider", provider);
        view.put("inboundPath", path);
        view.put("inboundUrl", base(exchange) + path);
        view.put("createdAt", Views.instant(createdAt));
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

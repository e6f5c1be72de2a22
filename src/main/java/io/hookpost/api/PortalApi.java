package io.hookpost.api;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

import io.hookpost.HookpostProperties;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.springframework.stereotype.Component;

/**
 * {@code POST …/accounts/{acct}/portal-access}: a link to the account portal ({@code /portal/}) for one of the
 * account's admins, as Svix's app-portal access: the SaaS product asks for it when its customer opens the webhooks
 * page of its dashboard and shows the link (or frames it). The link carries a key of its own, in the URL's fragment
 * (browsers send no fragment to a server, so no access log holds it): it expires, and it reaches only what the portal
 * does (see {@link ApiAccess}); {@code readOnly} ones change nothing and do not show the signing secret.
 */
@Component("portalApi")
public class PortalApi {
    public record PortalAccessRequest(Long expiry, Boolean readOnly) {
    }

    private final RequestBodies bodies;
    private final ApiKeys keys;
    private final HookpostProperties.Portal portal;
    private final String publicBase;

    public PortalApi(RequestBodies bodies, ApiKeys keys, HookpostProperties properties) {
        this.bodies = bodies;
        this.keys = keys;
        this.portal = properties.portal();
        this.publicBase = properties.inbound().publicBase();
    }

    public Map<String, Object> createAccess(@Header("acct") String account, @Body byte[] body, Exchange exchange)
            throws IOException {
        PortalAccessRequest request = body == null || body.length == 0 ? new PortalAccessRequest(null, null)
                : bodies.read(body, PortalAccessRequest.class);
        Duration ttl = portal.sessionTtl();
        if (request.expiry() != null) {
            if (request.expiry() < 1 || request.expiry() > portal.maxSessionTtl().toSeconds()) {
                throw ProblemException.badRequest("'expiry' is the link's lifetime in seconds: 1 to "
                        + portal.maxSessionTtl().toSeconds() + ".");
            }
            ttl = Duration.ofSeconds(request.expiry());
        }
        boolean readOnly = Boolean.TRUE.equals(request.readOnly());
        OffsetDateTime expiresAt = ApiKeys.noLaterThanCaller(Views.now().plus(ttl), exchange);
        ApiKeys.Issued issued = keys.issuePortalKey(account,
                readOnly ? Principal.Scope.PORTAL_READ_ONLY : Principal.Scope.PORTAL, expiresAt);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", issued.id()); // to end the session early: DELETE …/api-keys/{id}
        view.put("url", Views.publicBase(publicBase, exchange) + "/portal/#account="
                + URLEncoder.encode(account, StandardCharsets.UTF_8) + "&key=" + issued.key());
        view.put("token", issued.key());
        view.put("readOnly", readOnly);
        view.put("expiresAt", DateTimeFormatter.ISO_INSTANT.format(expiresAt));
        return view;
    }

    /** {@code GET /api/v1/session}: the caller's key, what it may do and until when (the portal page asks first). */
    public Map<String, Object> session(Exchange exchange) {
        Principal principal = exchange.getProperty(Principal.PROPERTY, Principal.class);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("keyId", principal.keyId());
        view.put("accountId", principal.accountId());
        view.put("operator", principal.operator());
        view.put("portal", principal.portalSession());
        view.put("readOnly", principal.scope() == Principal.Scope.PORTAL_READ_ONLY);
        view.put("expiresAt", principal.expiresAt() == null ? null
                : DateTimeFormatter.ISO_INSTANT.format(principal.expiresAt()));
        return view;
    }

    /**
     * {@code DELETE /api/v1/session}: a portal session signs out, its key revoked at once (the page's "Sign out").
     * Any other key is refused: a client that meant to revoke its API key says which one.
     */
    public void end(Exchange exchange) {
        Principal principal = exchange.getProperty(Principal.PROPERTY, Principal.class);
        if (!principal.portalSession()) {
            throw ProblemException.conflict("Only a portal session ends this way. "
                    + (principal.keyId() == null ? "The admin token is configuration, not a key."
                    : "This is an API key ('" + principal.keyId() + "'): revoke it with DELETE "
                    + (principal.operator() ? "/api/v1/api-keys/" : "/api/v1/accounts/" + principal.accountId()
                    + "/api-keys/") + principal.keyId() + "."));
        }
        keys.revoke(principal.accountId(), principal.keyId());
    }
}

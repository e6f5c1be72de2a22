package io.hookpost.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Set;

import io.hookpost.HookpostProperties;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.springframework.stereotype.Component;
import org.springframework.web.util.UriUtils;

/**
 * Step {@code authenticate}, run first by every API route: resolves the bearer key to a principal and,
 * when the path names an account, checks that it exists and that the caller may see it. Another
 * account's objects answer 404, exactly like missing ones, so keys cannot probe for accounts.
 */
@Component("apiAccess")
public class ApiAccess implements Processor {
    /** The path parameters of the API's routes ({acct}, {endpointId} … in api.camel.yaml). */
    static final List<String> PATH_IDS = List.of("acct", "endpointId", "eventId", "deliveryId", "connectionId",
            "typeName", "keyId", "callbackId", "broadcastId");
    /**
     * What the account portal's page does (the routes' ids in api.camel.yaml; the REST DSL runs each in its route), all
     * a portal session may do: a leaked link must not mint keys, publish events or read provider credentials.
     */
    private static final Set<String> PORTAL_ROUTES = Set.of("get-session", "end-session", "list-event-types",
            "get-event-type", "list-endpoints", "get-endpoint", "list-attempts", "endpoint-stats", "list-deliveries",
            "get-delivery", "list-delivery-attempts", "list-events", "get-event", "get-endpoint-secret",
            "create-endpoint", "update-endpoint", "delete-endpoint", "rotate-secret", "test-endpoint",
            "enable-endpoint", "recover-endpoint", "replay-missing", "retry-delivery");
    /** A read-only session's share of those: looking only (and signing out), and not at the signing secret. */
    private static final Set<String> READ_ONLY_PORTAL_ROUTES = Set.of("get-session", "end-session",
            "list-event-types", "get-event-type", "list-endpoints", "get-endpoint", "list-attempts", "endpoint-stats",
            "list-deliveries", "get-delivery", "list-delivery-attempts", "list-events", "get-event");
    private final ApiKeys keys;
    private final Accounts accounts;
    private final byte[] adminToken;

    public ApiAccess(ApiKeys keys, Accounts accounts, HookpostProperties properties) {
        this.keys = keys;
        this.accounts = accounts;
        String token = properties.security().adminToken();
        this.adminToken = token == null || token.isBlank() ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void process(Exchange exchange) {
        decodePathIds(exchange);
        String authorization = exchange.getIn().getHeader("Authorization", String.class);
        // the key never travels further than this step (logs, queue, outbound requests)
        exchange.getIn().removeHeader("Authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ProblemException.unauthorized("Send your API key as 'Authorization: Bearer <key>'.");
        }
        String key = authorization.substring(7).trim();
        Principal principal = resolve(key);
        exchange.setProperty(Principal.PROPERTY, principal);
        if (exchange.getIn().getHeader(IdempotentRequests.HEADER) != null) {
            // what a repeated request is known by and its first answer kept under: from the key, never the key itself
            exchange.setProperty(IdempotentRequests.CALLER, IdempotentRequests.callerSecret(key));
        }
        if (principal.portalSession()) {
            Set<String> allowed = principal.scope() == Principal.Scope.PORTAL ? PORTAL_ROUTES : READ_ONLY_PORTAL_ROUTES;
            if (!allowed.contains(exchange.getFromRouteId())) {
                // a read-only session is told it may only look when the page itself could do it
                throw new ProblemException(403, "Forbidden", PORTAL_ROUTES.contains(exchange.getFromRouteId())
                        ? "A read-only portal session may only look."
                        : "A portal session may manage endpoints and look at events and deliveries only.");
            }
        }

        String account = exchange.getIn().getHeader("acct", String.class);
        if (account != null) {
            if (!principal.mayAccess(account) || !accounts.exists(account)) {
                throw ProblemException.notFound("No account '" + account + "'.");
            }
        }
    }

    /**
     * The ids in the path as the client meant them: platform-http hands them over as sent, still percent-encoded
     * ({@code order%3A123} for event {@code order:123}, as {@code encodeURIComponent} writes it).
     */
    private static void decodePathIds(Exchange exchange) {
        for (String name : PATH_IDS) {
            String value = exchange.getIn().getHeader(name, String.class);
            if (value != null && value.indexOf('%') >= 0) {
                try {
                    exchange.getIn().setHeader(name, UriUtils.decode(value, StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    throw ProblemException.badRequest("The path's '" + value + "' is not valid percent-encoding.");
                }
            }
        }
    }

    private Principal resolve(String key) {
        if (adminToken != null
                && MessageDigest.isEqual(adminToken, key.getBytes(StandardCharsets.UTF_8))) {
            return Principal.OPERATOR;
        }
        return keys.lookup(key).orElseThrow(() -> ProblemException.unauthorized("The API key is not valid."));
    }

    /** For operator-only actions such as creating accounts. */
    public static void requireOperator(Exchange exchange) {
        Principal principal = exchange.getProperty(Principal.PROPERTY, Principal.class);
        if (principal == null || !principal.operator()) {
            throw new ProblemException(403, "Forbidden", "Only an operator key may do this.");
        }
    }
}

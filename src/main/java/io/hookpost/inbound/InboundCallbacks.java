package io.hookpost.inbound;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookpost.Ids;
import io.hookpost.api.ProblemException;
import io.hookpost.api.ProblemResponder;
import io.hookpost.ops.HookpostMetrics;
import io.hookpost.ops.SecretsAtRest;
import jakarta.servlet.http.HttpServletRequest;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.springboot.PlatformHttpMessage;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Steps {@code verify-callback} and {@code answer-handshake} of the inbound routes: find the provider
 * connection the URL names, verify the callback on its raw bytes, and build the row that stores it. Headers are
 * read from the servlet request itself, not from Camel's message headers, because Camel also copies query
 * parameters into message headers and a query string must not be able to pose as a signature header.
 */
@Component("inboundCallbacks")
public class InboundCallbacks {
    /** Never stored: they carry the provider's credentials (basic auth) or nothing worth keeping. */
    private static final Set<String> UNSTORED = Set.of("authorization", "cookie", "proxy-authorization");

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final Verifiers verifiers;
    private final HookpostMetrics metrics;
    private final SecretsAtRest secrets;

    public InboundCallbacks(JdbcTemplate jdbc, ObjectMapper json, Verifiers verifiers, HookpostMetrics metrics,
                            SecretsAtRest secrets) {
        this.jdbc = jdbc;
        this.secrets = secrets;
        this.json = json;
        this.verifiers = verifiers;
        this.metrics = metrics;
    }

    /** A verified callback's row for insert-callback; 404 for an unknown connection, 401 when verification fails. */
    public Map<String, Object> receive(Exchange exchange) throws Exception {
        Provider provider = provider(exchange);
        Connection connection = connection(exchange, provider);
        InboundRequest request = request(exchange);
        if (provider == Provider.POSTMARK || provider == Provider.SENDGRID_INBOUND_PARSE
                && (!connection.credentials().containsKey("publicKey")
                || connection.previous() != null && !connection.previous().containsKey("publicKey"))) {
            // a sender that waits to be asked for basic auth credentials is asked (RFC 9110's 401), also while the
            // basic auth a key replaced is still valid
            exchange.setProperty(ProblemResponder.CHALLENGE, "Basic realm=\"Hookpost inbound\", charset=\"UTF-8\"");
        }
        Instant now = Instant.now();
        Verdict verdict = verifiers.verify(provider, request, connection.credentials(), now);
        if (!verdict.verified() && connection.previous() != null) {
            // within a grace period after the credentials changed: the provider may still sign with the old ones
            Verdict previous = verifiers.verify(provider, request, connection.previous(), now);
            verdict = previous.verified() ? previous : verdict;
        }
        metrics.inboundCallback(provider.apiName(), verdict.verified() ? "verified" : "rejected");
        if (!verdict.verified()) {
            throw ProblemException.unauthorized("The callback is not verified: " + verdict.reason() + ".");
        }
        Map<String, List<String>> stored = new TreeMap<>();
        request.headers().forEach((name, values) -> {
            if (!UNSTORED.contains(name)) {
                stored.put(name, values);
            }
        });
        stored.put("content-type", request.contentType() == null ? List.of() : List.of(request.contentType()));
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", Ids.next("cb"));
        row.put("connection_id", connection.id());
        row.put("account_id", connection.accountId());
        row.put("dedupe_key", verdict.replayKey() != null ? verdict.replayKey()
                : InboundNormaliser.sha256(request.body()));
        row.put("headers", json.writeValueAsString(flatten(stored)));
        row.put("body", request.body());
        row.put("received_at", OffsetDateTime.now(ZoneOffset.UTC));
        return row;
    }

    /** GET on an inbound URL: Meta's subscription handshake answers the challenge; other providers have none. */
    public String handshake(Exchange exchange) throws Exception {
        Provider provider = provider(exchange);
        Connection connection = connection(exchange, provider);
        if (provider != Provider.META) {
            exchange.setProperty(ProblemResponder.ALLOW, "POST");
            throw new ProblemException(405, "Method Not Allowed", "Callbacks of " + provider.apiName() + " are POSTs.");
        }
        MetaHandshake.Answer answer = verifiers.metaHandshake(request(exchange), connection.credentials());
        if (!answer.accepted() && connection.previous() != null) {
            MetaHandshake.Answer previous = verifiers.metaHandshake(request(exchange), connection.previous());
            answer = previous.accepted() ? previous : answer;
        }
        if (!answer.accepted()) {
            throw new ProblemException(403, "Forbidden", "The subscription handshake was refused: " + answer.refusal() + ".");
        }
        return answer.challenge();
    }

    /** A connection with its credentials and, within a grace period after they changed, the previous ones. */
    private record Connection(String id, String accountId, Map<String, String> credentials,
                              Map<String, String> previous) {
    }

    private static Provider provider(Exchange exchange) {
        return Provider.fromApiName(exchange.getProperty("hookpost.provider", String.class)).orElseThrow();
    }

    private Connection connection(Exchange exchange, Provider provider) throws Exception {
        String id = exchange.getIn().getHeader("connectionId", String.class);
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT account_id, credentials, CASE WHEN"
                + " previous_valid_until > ? THEN previous_credentials END AS previous_credentials"
                + " FROM provider_connections WHERE id = ? AND provider = ? AND deleted_at IS NULL",
                OffsetDateTime.now(ZoneOffset.UTC), id, provider.apiName());
        if (rows.isEmpty()) {
            metrics.inboundCallback(provider.apiName(), "unknown_connection");
            throw ProblemException.notFound("No " + provider.apiName() + " connection '" + id + "'.");
        }
        Map<String, Object> row = rows.get(0);
        return new Connection(id, (String) row.get("account_id"), credentials(row.get("credentials")),
                row.get("previous_credentials") == null ? null : credentials(row.get("previous_credentials")));
    }

    private Map<String, String> credentials(Object stored) throws Exception {
        return json.readValue(secrets.reveal((String) stored), new TypeReference<Map<String, String>>() { });
    }

    private static InboundRequest request(Exchange exchange) {
        HttpServletRequest servlet = exchange.getIn(PlatformHttpMessage.class).getRequest();
        Map<String, List<String>> headers = new TreeMap<>();
        for (String name : Collections.list(servlet.getHeaderNames())) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!lower.startsWith("hookpost-") && !lower.equals("content-type") && !lower.equals("content-length")) {
                headers.put(lower, new ArrayList<>(Collections.list(servlet.getHeaders(name))));
            }
        }
        byte[] body = (byte[]) servlet.getAttribute(InboundRequestFilter.RAW_BODY);
        return new InboundRequest(servlet.getMethod(), servlet.getHeader(InboundRequestFilter.URL), headers,
                body == null ? new byte[0] : body, servlet.getHeader(InboundRequestFilter.CONTENT_TYPE));
    }

    private static Map<String, String> flatten(Map<String, List<String>> headers) {
        Map<String, String> flat = new TreeMap<>();
        headers.forEach((name, values) -> flat.put(name, String.join(", ", values)));
        return flat;
    }
}

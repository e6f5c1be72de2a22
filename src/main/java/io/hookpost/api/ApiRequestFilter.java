package io.hookpost.api;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.hookpost.BufferedBodyRequest;
import io.hookpost.FilterProblems;
import io.hookpost.HookpostProperties;
import io.hookpost.RequestPaths;
import io.hookpost.Utf8;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * In front of Camel, for every {@code /api/} request: only the query parameters the API's operations take, once each,
 * and no header standing in for one; the API key and Idempotency-Key headers once each; JSON bodies only, uncompressed
 * and in UTF-8, and no body larger than the largest event plus room for its envelope.
 * These checks must happen here: Camel's HTTP binding turns query parameters and a form-encoded body into message
 * headers before any route step runs, reads the whole body into memory first, and answers a body it cannot decode
 * with a 500.
 */
@Component
@Order(0)
public class ApiRequestFilter extends OncePerRequestFilter {
    /** Room for the fields around an event's data (the event route checks the exact event limit itself). */
    private static final int ENVELOPE_ROOM = 16 * 1024;
    /** What the API's query parameters' names look like (limit, cursor, messageId …): safe to name in a problem. */
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z]{1,40}");
    /**
     * Every query parameter of the API's operations, as the OpenAPI document (openapi/hookpost-api.yaml) lists them
     * (OpenApiDocumentTest holds the two the same); compared ignoring case, as Camel's headers are.
     */
    static final Set<String> QUERY_PARAMETERS = ignoringCase("channel", "cursor", "endpointId", "expunge",
            "includeArchived", "interval", "limit", "messageId", "provider", "recipient", "since", "status", "type",
            "until");
    /**
     * Request headers named as a query or path parameter: Camel's message headers hold the request's headers, its
     * query parameters and its path's ids under one name, so a header {@code limit: 1} paged as {@code ?limit=1}
     * did and {@code acct: x} answered 404 on routes without an account. The API reads no such header: hidden.
     */
    private static final Set<String> PARAMETER_NAMES = ignoringCase(Stream.concat(QUERY_PARAMETERS.stream(),
            ApiAccess.PATH_IDS.stream()).toArray(String[]::new));
    /** Headers the API reads whose repeats a server joins into one value ("a,b"): a key is one value. */
    private static final List<String> SINGLE_HEADERS = List.of("Authorization", "Idempotency-Key");
    private final int maxBody;

    public ApiRequestFilter(HookpostProperties properties) {
        this.maxBody = properties.events().maxPayloadBytes() + ENVELOPE_ROOM;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !RequestPaths.of(request).startsWith("/api/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String badQuery = queryProblem(request.getQueryString());
        if (badQuery != null) {
            FilterProblems.write(request, response, 400, "Bad Request", badQuery);
            return;
        }
        for (String name : SINGLE_HEADERS) {
            Enumeration<String> values = request.getHeaders(name);
            boolean twice = values != null && values.hasMoreElements() && values.nextElement() != null
                    && values.hasMoreElements();
            if (twice) {
                FilterProblems.write(request, response, 400, "Bad Request", "The header '" + name
                        + "' is given more than once; send it once.");
                return;
            }
        }
        request = ParameterHeadersHidden.of(request, PARAMETER_NAMES);
        String contentType = request.getContentType();
        long declared = request.getContentLengthLong();
        boolean chunked = request.getHeader("Transfer-Encoding") != null;
        boolean hasBody = declared > 0 || chunked;
        if (hasBody && contentType != null && !isJson(contentType)) {
            FilterProblems.write(request, response, 415, "Unsupported Media Type", "The API accepts JSON only: send 'Content-Type: application/json'.");
            return;
        }
        if (declared > maxBody) {
            FilterProblems.write(request, response, 413, "Content Too Large", tooLarge());
            return;
        }
        String encoding = request.getHeader("Content-Encoding");
        if (hasBody && encoding != null && !encoding.isBlank() && !encoding.strip().equalsIgnoreCase("identity")) {
            // the header's value is not echoed: FilterProblems writes only Hookpost's own texts
            FilterProblems.write(request, response, 415, "Unsupported Media Type", "The API takes bodies as they are:"
                    + " a Content-Encoding is not supported; send the JSON uncompressed.");
            return;
        }
        if (!hasBody) {
            chain.doFilter(request, response);
            return;
        }
        // read here (at most one byte past the limit when no length is given), checked, and handed to Camel as read
        byte[] body = request.getInputStream().readNBytes(maxBody + 1);
        if (body.length > maxBody) {
            FilterProblems.write(request, response, 413, "Content Too Large", tooLarge());
            return;
        }
        if (contentType != null && !declaresUtf8(contentType)) {
            // read as UTF-8 whatever it says, its other characters became U+FFFD: refused rather than changed
            FilterProblems.write(request, response, 415, "Unsupported Media Type",
                    "JSON is sent as UTF-8 (RFC 8259): send the body in UTF-8, with no charset or charset=utf-8.");
            return;
        }
        if (!isUtf8(body)) {
            // Camel would fail reading it (a 500); JSON between systems is UTF-8 (RFC 8259)
            FilterProblems.write(request, response, 400, "Bad Request",
                    "The request body is not valid UTF-8: JSON is sent as UTF-8 (RFC 8259).");
            return;
        }
        chain.doFilter(new BufferedBodyRequest(request, body), response);
    }

    /**
     * Why the query string is refused, or null. Camel makes each query parameter a message header, compared ignoring
     * case as {@link String#CASE_INSENSITIVE_ORDER} compares, where a request header of that name already is: a
     * parameter the API does not take could stand in for a header ({@code ?Authorization=Bearer …} authenticated, and
     * overrode the real header) and one given twice was joined into one value ("a,b"). So only the API's own
     * parameters pass, once each. Read from the query string itself: the servlet's parameter map would read a form
     * body too. A name is echoed only when it is letters alone, as every parameter of the API is: FilterProblems
     * writes no other client input.
     */
    static String queryProblem(String query) {
        if (query == null || query.isEmpty()) {
            return null;
        }
        Set<String> seen = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            try {
                name = URLDecoder.decode(name, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                // a malformed escape: taken as written, and not a parameter of the API
            }
            if (name.isEmpty()) {
                continue;
            }
            if (name.equalsIgnoreCase("authorization")) {
                return "An API key is sent in the header 'Authorization: Bearer <key>', never in the URL.";
            }
            boolean plain = PLAIN_NAME.matcher(name).matches();
            if (!QUERY_PARAMETERS.contains(name)) {
                return "The API takes no query parameter " + (plain ? "'" + name + "'" : "of that name")
                        + "; its operations take " + String.join(", ", QUERY_PARAMETERS)
                        + ", as the OpenAPI document lists them for each.";
            }
            if (!seen.add(name)) {
                return "A query parameter is given more than once (" + (plain ? "'" + name + "'" : "a name Hookpost"
                        + " does not know") + "): each takes one value.";
            }
        }
        return null;
    }

    private static Set<String> ignoringCase(String... names) {
        Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        set.addAll(List.of(names));
        return Collections.unmodifiableSet(set);
    }

    /** No charset given (JSON's own is UTF-8), or UTF-8 named. */
    private static boolean declaresUtf8(String contentType) {
        try {
            var charset = MediaType.parseMediaType(contentType).getCharset();
            return charset == null || charset.equals(StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return true;
        }
    }

    private static boolean isUtf8(byte[] body) {
        return Utf8.textOrNull(body) != null;
    }

    private String tooLarge() {
        return "The request body is larger than " + maxBody + " bytes (hookpost.events.max-payload-bytes plus "
                + ENVELOPE_ROOM + " for the envelope).";
    }

    private static boolean isJson(String contentType) {
        try {
            MediaType type = MediaType.parseMediaType(contentType);
            return type.isCompatibleWith(MediaType.APPLICATION_JSON) || type.getSubtype().endsWith("+json");
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}

package io.hookpost.inbound;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.hookpost.BufferedBodyRequest;
import io.hookpost.FilterProblems;
import io.hookpost.HookpostProperties;
import io.hookpost.RequestPaths;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UriComponentsBuilder;
import org.springframework.web.util.UriUtils;

/**
 * In front of the inbound routes: provider signatures cover the raw bytes, so the body must reach the route
 * untouched. Camel's HTTP binding would parse a form or multipart body into headers first (and Tomcat would
 * consume it), so this filter reads the bytes itself (bounded by {@code hookpost.inbound.max-body-bytes}) and
 * hands Camel an opaque {@code application/octet-stream} body. The provider's own content type and the full
 * URL it called travel in the {@link #CONTENT_TYPE} and {@link #URL} headers; a caller cannot set those, they
 * are replaced here.
 */
@Component
@Order(0)
public class InboundRequestFilter extends OncePerRequestFilter {
    public static final String CONTENT_TYPE = "Hookpost-Content-Type";
    public static final String URL = "Hookpost-Request-Url";
    /**
     * Request attribute with the raw body bytes. Verification reads them from here, because Camel's HTTP binding
     * reads a body through a character reader, which would not give arbitrary bytes back unchanged.
     */
    public static final String RAW_BODY = "hookpost.rawBody";
    private static final String OPAQUE = "application/octet-stream";

    private final int maxBody;
    private final String publicBaseUrl;

    public InboundRequestFilter(HookpostProperties properties) {
        this.maxBody = properties.inbound().maxBodyBytes();
        this.publicBaseUrl = properties.inbound().publicBase();
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !RequestPaths.of(request).startsWith("/inbound/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getContentLengthLong() > maxBody) {
            tooLarge(request, response);
            return;
        }
        byte[] body = request.getInputStream().readNBytes(maxBody + 1);
        if (body.length > maxBody) {
            tooLarge(request, response);
            return;
        }
        request.setAttribute(RAW_BODY, body);
        chain.doFilter(new RawBody(request, body, fullUrl(request)), response);
    }

    /** The URL as the provider called it: with its query string, and the public base URL when behind a proxy. */
    private String fullUrl(HttpServletRequest request) {
        String path = request.getRequestURI() + (request.getQueryString() == null ? "" : "?" + request.getQueryString());
        if (publicBaseUrl != null) {
            return publicBaseUrl + path;
        }
        StringBuffer url = request.getRequestURL();
        return url + (request.getQueryString() == null ? "" : "?" + request.getQueryString());
    }

    private void tooLarge(HttpServletRequest request, HttpServletResponse response) throws IOException {
        FilterProblems.write(request, response, 413, "Content Too Large",
                "The callback is larger than " + maxBody + " bytes (hookpost.inbound.max-body-bytes).");
    }

    /** The request with its raw body in memory, presented as opaque bytes. */
    private static final class RawBody extends BufferedBodyRequest {
        private final String originalType;
        private final String url;

        RawBody(HttpServletRequest request, byte[] body, String url) {
            super(request, body);
            this.originalType = request.getContentType();
            this.url = url;
        }

        @Override
        public String getContentType() {
            return OPAQUE;
        }

        @Override
        public String getParameter(String name) {
            // query parameters only: the body is not a form as far as anything after this filter knows
            String[] values = getParameterMap().get(name);
            return values == null ? null : values[0];
        }

        @Override
        public Map<String, String[]> getParameterMap() {
            Map<String, String[]> parameters = new LinkedHashMap<>();
            UriComponentsBuilder.newInstance().query(getQueryString()).build().getQueryParams().forEach((name, values) ->
                    parameters.put(UriUtils.decode(name, StandardCharsets.UTF_8), values.stream()
                            .map(v -> v == null ? "" : UriUtils.decode(v, StandardCharsets.UTF_8)).toArray(String[]::new)));
            return parameters;
        }

        @Override
        public Enumeration<String> getParameterNames() {
            return Collections.enumeration(getParameterMap().keySet());
        }

        @Override
        public String[] getParameterValues(String name) {
            return getParameterMap().get(name);
        }

        @Override
        public String getHeader(String name) {
            String lower = name.toLowerCase(Locale.ROOT);
            return switch (lower) {
                case "content-type" -> OPAQUE;
                case "hookpost-content-type" -> originalType;
                case "hookpost-request-url" -> url;
                case "content-length" -> String.valueOf(body.length);
                default -> super.getHeader(name);
            };
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            String value = getHeader(name);
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("content-type") || lower.startsWith("hookpost-") || lower.equals("content-length")) {
                return value == null ? Collections.emptyEnumeration() : Collections.enumeration(List.of(value));
            }
            return super.getHeaders(name);
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            List<String> names = new ArrayList<>();
            for (Enumeration<String> e = super.getHeaderNames(); e.hasMoreElements(); ) {
                String name = e.nextElement();
                if (!name.toLowerCase(Locale.ROOT).startsWith("hookpost-")) {
                    names.add(name);
                }
            }
            if (originalType != null) {
                names.add(CONTENT_TYPE);
            }
            names.add(URL);
            return Collections.enumeration(names);
        }
    }
}

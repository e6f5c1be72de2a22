package io.hookpost.api;

import java.io.IOException;

import io.hookpost.BufferedBodyRequest;
import io.hookpost.FilterProblems;
import io.hookpost.HookpostProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * In front of Camel, for every {@code /api/} request: JSON bodies only, and no body larger than the largest
 * event plus room for its envelope. Both checks must happen here: Camel's HTTP binding turns a form-encoded
 * body into message headers before any route step runs, and reads the whole body into memory first.
 */
@Component
@Order(0)
public class ApiRequestFilter extends OncePerRequestFilter {
    /** Room for the fields around an event's data (the event route checks the exact event limit itself). */
    private static final int ENVELOPE_ROOM = 16 * 1024;
    private final int maxBody;

    public ApiRequestFilter(HookpostProperties properties) {
        this.maxBody = properties.events().maxPayloadBytes() + ENVELOPE_ROOM;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith("/api/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String contentType = request.getContentType();
        long declared = request.getContentLengthLong();
        boolean chunked = request.getHeader("Transfer-Encoding") != null;
        boolean hasBody = declared > 0 || chunked;
        if (hasBody && contentType != null && !isJson(contentType)) {
            FilterProblems.write(response, 415, "Unsupported Media Type", "The API accepts JSON only: send 'Content-Type: application/json'.");
            return;
        }
        if (declared > maxBody) {
            FilterProblems.write(response, 413, "Content Too Large", tooLarge());
            return;
        }
        if (chunked) {
            // no length given: read at most one byte past the limit, and hand Camel what was read
            byte[] body = request.getInputStream().readNBytes(maxBody + 1);
            if (body.length > maxBody) {
                FilterProblems.write(response, 413, "Content Too Large", tooLarge());
                return;
            }
            chain.doFilter(new BufferedBodyRequest(request, body), response);
            return;
        }
        chain.doFilter(request, response);
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

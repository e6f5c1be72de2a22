package io.hookpost.ops;

import java.io.IOException;

import io.hookpost.FilterProblems;
import io.hookpost.RequestPaths;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The API and the inbound callbacks answer 503 with a problem document and {@code Retry-After} while Hookpost is not
 * ready. Tomcat takes requests before Camel's routes are started (Camel starts on Spring's refresh event, after the
 * web server): without this a client, or a provider posting a callback, would read Spring's "404 Not Found" for those
 * seconds, which says the URL does not exist; a 503 with Retry-After says to come back. Spring Boot's readiness state
 * is the signal: accepting traffic only once the application has started, refusing it from the moment it begins to
 * close, while the routes stop.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class NotReadyFilter extends OncePerRequestFilter {
    /** Seconds: a start or a stop of Hookpost takes a few. */
    static final String RETRY_AFTER = "2";
    static final String DETAIL = "Hookpost is starting or stopping: try again shortly.";
    private final ApplicationAvailability availability;

    public NotReadyFilter(ApplicationAvailability availability) {
        this.availability = availability;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = RequestPaths.of(request);
        return !path.startsWith("/api/") && !path.startsWith("/inbound/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC) {
            chain.doFilter(request, response);
            return;
        }
        response.setHeader("Retry-After", RETRY_AFTER);
        FilterProblems.write(request, response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "Service Unavailable", DETAIL);
    }
}

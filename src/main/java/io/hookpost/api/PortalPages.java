package io.hookpost.api;

import java.io.IOException;

import io.hookpost.HookpostProperties;
import io.hookpost.RequestPaths;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The account portal's page: static files under {@code classpath:/static/portal/} (Spring Boot serves them) that
 * talk to the management API with the session key from their link ({@link PortalApi}). Its answers carry a strict
 * Content-Security-Policy: scripts and styles from Hookpost only, requests to Hookpost only, shown in frames only by
 * {@code hookpost.portal.frame-ancestors}; so text from the database that slipped into markup could not run. (Spring
 * Security's header writers would set these, but its filter runs on the operator pages only, see
 * {@link io.hookpost.ops.OperatorSecurity}: four fixed headers do not warrant putting it in front of every request.)
 */
@Configuration
public class PortalPages implements WebMvcConfigurer {
    static final String PATH = "/portal/";

    @Override
    public void addViewControllers(ViewControllerRegistry registry) {
        registry.addRedirectViewController("/portal", PATH);
        registry.addViewController(PATH).setViewName("forward:" + PATH + "index.html");
    }

    @Bean
    OncePerRequestFilter portalHeaders(HookpostProperties properties) {
        String policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
                + " connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors "
                + String.join(" ", properties.portal().frameAncestors());
        return new OncePerRequestFilter() {
            @Override
            protected boolean shouldNotFilter(HttpServletRequest request) {
                return !RequestPaths.of(request).startsWith("/portal");
            }

            @Override
            protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                    throws ServletException, IOException {
                response.setHeader("Content-Security-Policy", policy);
                response.setHeader("X-Content-Type-Options", "nosniff");
                response.setHeader("Referrer-Policy", "no-referrer");
                // a new Hookpost's page, not a cached one, after an upgrade
                response.setHeader("Cache-Control", "no-cache");
                chain.doFilter(request, response);
            }
        };
    }
}

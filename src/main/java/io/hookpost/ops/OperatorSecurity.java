package io.hookpost.ops;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.hookpost.HookpostProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.web.servlet.DelegatingFilterProxyRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfTokenRequestAttributeHandler;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Spring Security guards the operator pages only: the Hawtio console and Jolokia (and Prometheus unless
 * {@code hookpost.ops.metrics-public}), with HTTP basic and the credentials {@code hookpost.ops.console-user} /
 * {@code console-password}. No password configured: the console is off, every request to it gets 401.
 *
 * <p>Everything else ({@code /api} with its own bearer keys, {@code /inbound} with provider signatures) never reaches
 * Spring Security: its filter is registered for {@code /actuator/*} only, where its chains are. (Registered for every
 * path, as Spring Boot does, it would look for a chain for each API request and, first, ask Spring MVC which handler
 * the request goes to: 4 % of the CPU samples in a profile of the ingest benchmark, issue 7.) {@code /actuator/health}
 * reads credentials when a caller sends them, to show operators the details; it never asks for them.
 *
 * <p>CSRF: browsers send cached basic credentials along with cross-site requests, so state-changing requests
 * (Jolokia POSTs: exec, write) need the token from the {@code XSRF-TOKEN} cookie echoed in an
 * {@code X-XSRF-TOKEN} header. The Hawtio console does this by itself; a script gets the cookie from any GET.
 */
@Configuration
public class OperatorSecurity {
    public static final String ROLE = "OPERATOR";
    private static final Logger LOG = LoggerFactory.getLogger(OperatorSecurity.class);
    // on the whole path: Jolokia is a servlet of its own, which Spring MVC path matching would not see
    private static final String[] CONSOLE = {"/actuator/hawtio/**", "/actuator/jolokia/**"};
    private static final String[] PROMETHEUS = {"/actuator/prometheus/**"};
    private static final String[] HEALTH = {"/actuator/health/**"};
    /** Where Spring Security's filter runs: every path above is under it. */
    static final String OPERATOR_PAGES = "/actuator/*";
    /** The bean Spring Boot registers Spring Security's filter with (SecurityFilterAutoConfiguration). */
    static final String SECURITY_FILTER_REGISTRATION = "securityFilterChainRegistration";

    @Bean
    @Order(1)
    SecurityFilterChain operatorPages(HttpSecurity http, HookpostProperties properties) throws Exception {
        HookpostProperties.Ops ops = properties.ops();
        List<String> guarded = new ArrayList<>(List.of(CONSOLE));
        if (!ops.metricsPublic()) {
            guarded.addAll(List.of(PROMETHEUS));
        }
        if (!ops.consoleEnabled()) {
            LOG.info("The operator console (/actuator/hawtio, /actuator/jolokia{}) is off: set "
                    + "hookpost.ops.console-password to turn it on.", ops.metricsPublic() ? "" : ", /actuator/prometheus");
        }
        CsrfTokenRequestAttributeHandler csrfHandler = new CsrfTokenRequestAttributeHandler();
        // load the token on every request, so the XSRF-TOKEN cookie is there before the console's first POST
        csrfHandler.setCsrfRequestAttributeName(null);
        return http
                .securityMatcher(paths(guarded.toArray(String[]::new)))
                .authorizeHttpRequests(requests -> {
                    if (ops.consoleEnabled()) {
                        requests.anyRequest().hasRole(ROLE);
                    } else {
                        requests.anyRequest().denyAll();
                    }
                })
                .httpBasic(basic -> basic.realmName("Hookpost operator"))
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(csrf -> csrf
                        .csrfTokenRepository(CookieCsrfTokenRepository.withHttpOnlyFalse())
                        .csrfTokenRequestHandler(csrfHandler))
                .build();
    }

    /** Health stays open; credentials, when sent, only unlock the details (show-details: when-authorized). */
    @Bean
    @Order(2)
    SecurityFilterChain healthPages(HttpSecurity http) throws Exception {
        return http
                .securityMatcher(paths(HEALTH))
                .authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
                .httpBasic(basic -> basic.realmName("Hookpost operator"))
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(csrf -> csrf.disable())
                .requestCache(cache -> cache.disable())
                .build();
    }

    private static RequestMatcher paths(String... patterns) {
        PathPatternRequestMatcher.Builder builder = PathPatternRequestMatcher.withDefaults();
        return new OrRequestMatcher(Arrays.stream(patterns).map(p -> (RequestMatcher) builder.matcher(p)).toList());
    }

    /** The one user: the operator from configuration (none when no password is set). */
    @Bean
    AuthenticationProvider operatorCredentials(HookpostProperties properties) {
        return new OperatorCredentials(properties.ops());
    }

    /** Spring Boot's registration of Spring Security's filter, narrowed to the operator pages (see above). */
    @Bean
    static BeanPostProcessor securityFilterOnOperatorPagesOnly() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessBeforeInitialization(Object bean, String name) {
                if (bean instanceof DelegatingFilterProxyRegistrationBean registration
                        && SECURITY_FILTER_REGISTRATION.equals(name)) {
                    registration.setUrlPatterns(List.of(OPERATOR_PAGES));
                }
                return bean;
            }
        };
    }

    static final class OperatorCredentials implements AuthenticationProvider {
        private final boolean enabled;
        private final byte[] user;
        private final byte[] password;

        OperatorCredentials(HookpostProperties.Ops ops) {
            this.enabled = ops.consoleEnabled();
            this.user = sha256(ops.consoleUser());
            this.password = sha256(ops.consolePassword());
        }

        @Override
        public Authentication authenticate(Authentication authentication) {
            String name = authentication.getName();
            Object credentials = authentication.getCredentials();
            // both compared in constant time, on digests so the length leaks nothing either
            boolean userMatches = MessageDigest.isEqual(user, sha256(name == null ? "" : name));
            boolean passwordMatches = MessageDigest.isEqual(password, sha256(credentials == null ? "" : credentials.toString()));
            if (!enabled || !userMatches || !passwordMatches) {
                throw new BadCredentialsException("Bad operator credentials");
            }
            return UsernamePasswordAuthenticationToken.authenticated(name, null,
                    AuthorityUtils.createAuthorityList("ROLE_" + ROLE));
        }

        @Override
        public boolean supports(Class<?> authentication) {
            return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
        }

        private static byte[] sha256(String text) {
            try {
                return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}

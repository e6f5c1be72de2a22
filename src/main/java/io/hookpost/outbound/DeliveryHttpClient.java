package io.hookpost.outbound;

import io.hookpost.HookpostProperties;
import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The one pooled HTTP client every delivery goes through (camel-http would otherwise make a pool per
 * distinct URI and wait 3 minutes): explicit timeouts and a whole-request deadline, the SSRF guard as DNS resolver, no redirects,
 * no cookies, no automatic retries (a retry is our decision, recorded as an attempt), no proxy from
 * the environment.
 */
@Configuration
public class DeliveryHttpClient {
    /**
     * Bounds on a receiver's answer head, which HttpClient reads whole into memory and by default without limit (a
     * receiver answering with 100 MB of headers ran Hookpost out of heap). The web servers' own defaults: Tomcat
     * takes 100 headers and Node.js 16 KB of head, so no real receiver comes near; past them the attempt fails.
     */
    static final int MAX_RESPONSE_HEADERS = 100;
    static final int MAX_RESPONSE_HEADER_LINE = 8192;
    /**
     * A pooled connection idle this long is checked before it is used again: a receiver may have closed it (servers
     * close idle keep-alive connections after a second or two, gunicorn after 2 s), and a POST sent on it gets no
     * answer and was never received, yet counted as a failed attempt. HttpClient checks only after 2 s of idleness;
     * the check reads for at most 1 ms, and a connection in steady use is never idle this long.
     */
    static final TimeValue VALIDATE_AFTER_IDLE = TimeValue.ofMilliseconds(250);

    @Bean(destroyMethod = "close")
    public PoolingHttpClientConnectionManager deliveryConnections(HookpostProperties properties, SsrfGuard guard) {
        Timeout timeout = Timeout.of(properties.delivery().timeout());
        return PoolingHttpClientConnectionManagerBuilder.create()
                .setDnsResolver(guard)
                .setConnectionFactory(ManagedHttpClientConnectionFactory.builder()
                        .http1Config(Http1Config.custom()
                                .setMaxHeaderCount(MAX_RESPONSE_HEADERS)
                                .setMaxLineLength(MAX_RESPONSE_HEADER_LINE)
                                .build())
                        .build())
                .setMaxConnTotal(properties.delivery().maxConnections())
                .setMaxConnPerRoute(properties.delivery().maxConnectionsPerHost())
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(timeout)
                        .setSocketTimeout(timeout)
                        .setValidateAfterInactivity(VALIDATE_AFTER_IDLE)
                        .build())
                .build();
    }

    @Bean(destroyMethod = "close")
    DeliveryDeadline deliveryDeadline(HookpostProperties properties) {
        return new DeliveryDeadline(properties.delivery().timeout());
    }

    @Bean
    public HttpClientConfigurer deliveryHttpClientConfigurer(HookpostProperties properties, DeliveryDeadline deadline) {
        Timeout timeout = Timeout.of(properties.delivery().timeout());
        return builder -> builder
                .addExecInterceptorFirst("hookpost-deadline", deadline)
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching()
                .disableDefaultUserAgent()
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setRedirectsEnabled(false)
                        .setResponseTimeout(timeout)
                        .setConnectionRequestTimeout(timeout)
                        .build());
    }
}

package io.hookpost.api;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.concurrent.CompletableFuture;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpConstants;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumer;
import org.apache.camel.component.platform.http.spi.PlatformHttpEngine;
import org.apache.camel.component.platform.http.springboot.SpringBootPlatformHttpConsumer;
import org.apache.camel.component.platform.http.springboot.SpringBootPlatformHttpEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerAdapter;
import org.springframework.web.servlet.ModelAndView;

/**
 * camel-platform-http on Spring Boot, with the route run on the request's own (Tomcat) thread.
 *
 * <p>Why by hand: the starter's consumer answers every request with a {@code CompletableFuture} run on Spring's task
 * executor, so Spring MVC starts async processing, hops to another thread and then dispatches the request a second
 * time through the whole filter chain to write an answer the route has already written. The benchmark (issue 7)
 * found that dispatch to be half the web server's CPU per ingested event. The starter has no setting for it; its
 * engine is {@code @ConditionalOnMissingBean}, so this one takes its place. The consumer returns no future and
 * {@link ConsumerHandlerAdapter} no view: the route's answer goes out as it was written. Failures are answered as the
 * starter's consumer answers them (logged, 500 unless already committed); the routes answer their own errors as
 * problems.
 *
 * <p>Spring MVC still finds the route's consumer (the starter registers each as a handler method), but
 * {@link ConsumerHandlerAdapter} calls it, not Spring MVC's {@code RequestMappingHandlerAdapter}: that adapter
 * resolves arguments, builds a model and a data binder, and scans the consumer's class hierarchy for validation
 * groups on every request, for a method whose only arguments are the request and the response.
 *
 * <p>Answers go out with a {@code Content-Length}, not chunked: Camel's HTTP binding streams a body as chunks and
 * flushes after each buffer unless {@code CamelHttpChunked} is false, which its platform-http endpoint has no option
 * for. A small JSON answer then took two socket writes (the headers and body, then the last chunk); now it goes out in
 * one. A route that wants chunks sets the header to true.
 */
@Configuration(proxyBeanMethods = false)
public class InlinePlatformHttpEngine {

    /** Named as the starter names its engine: the platform-http component looks it up by that name. */
    @Bean(PlatformHttpConstants.PLATFORM_HTTP_ENGINE_NAME)
    PlatformHttpEngine platformHttpEngine(@Value("${server.port:8080}") int port) {
        return new SpringBootPlatformHttpEngine(port) {
            @Override
            public PlatformHttpConsumer createConsumer(PlatformHttpEndpoint endpoint, Processor processor) {
                return new InlineConsumer(endpoint, processor);
            }
        };
    }

    /** Ahead of Spring MVC's own adapters: the first adapter that supports a handler is the one used. */
    @Bean
    HandlerAdapter camelConsumerHandlerAdapter() {
        return new ConsumerHandlerAdapter();
    }

    static final class ConsumerHandlerAdapter implements HandlerAdapter, Ordered {
        @Override
        public boolean supports(Object handler) {
            return handler instanceof HandlerMethod method && method.getBean() instanceof InlineConsumer;
        }

        @Override
        public ModelAndView handle(HttpServletRequest request, HttpServletResponse response, Object handler) {
            ((InlineConsumer) ((HandlerMethod) handler).getBean()).service(request, response);
            return null;   // answered: no view
        }

        @Override
        @SuppressWarnings("deprecation")   // deprecated since Spring Framework 6.1, yet still to be implemented
        public long getLastModified(HttpServletRequest request, Object handler) {
            return -1;
        }

        @Override
        public int getOrder() {
            return Ordered.HIGHEST_PRECEDENCE;
        }
    }

    static final class InlineConsumer extends SpringBootPlatformHttpConsumer {
        private static final Logger LOG = LoggerFactory.getLogger(InlineConsumer.class);

        InlineConsumer(PlatformHttpEndpoint endpoint, Processor processor) {
            super(endpoint, processor, Runnable::run);
        }

        @Override
        public CompletableFuture<Void> service(HttpServletRequest request, HttpServletResponse response) {
            try {
                handleService(request, response);
            } catch (Exception e) {
                LOG.warn("Error handling request due to: {}", e.getMessage(), e);
                if (!response.isCommitted()) {
                    try {
                        response.sendError(HttpServletResponse.SC_INTERNAL_SERVER_ERROR);
                    } catch (Exception ignored) {
                        // the connection is gone: nothing left to answer
                    }
                }
            }
            return null;
        }

        @Override
        protected void afterProcess(HttpServletResponse response, Exchange exchange) throws Exception {
            Message answer = exchange.getMessage();
            if (answer.getHeader(Exchange.HTTP_CHUNKED) == null) {
                answer.setHeader(Exchange.HTTP_CHUNKED, false);
            }
            super.afterProcess(response, exchange);
        }
    }
}

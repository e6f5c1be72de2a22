package io.hookpost.ops;

import java.io.IOException;

import io.hookpost.FilterProblems;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.AbstractProtocol;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Requests Tomcat refuses itself, before any application code sees them, get a problem document like every other
 * error, not Tomcat's HTML error page (Spring Boot's error page, {@code io.hookpost.api.ErrorPageProblems}, is never
 * reached: the host's valves skip the application for a request already in error). Written by hand because Tomcat's
 * error report valve writes HTML, or a fixed file per status: a valve first in the engine, ahead of the host, answers a
 * request already in error; every other request passes straight on.
 * <ul>
 * <li>One caught by the instant Tomcat pauses for the graceful stop gets the same 503 problem with Retry-After as
 * {@link NotReadyFilter} gives while stopping. Tomcat 10.1's {@code Http11Processor} means to answer 503 when it finds
 * its connector paused just after reading a request's first line; it then leaves the headers unread, yet goes on to
 * check them, finds no Host header and sets 400. A client told 400 would drop a valid event for good.</li>
 * <li>Any other (a path Tomcat cannot decode, say) gets the status Tomcat chose.</li>
 * </ul>
 */
@Component
public class TomcatRefusals implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        factory.addEngineValves(new Valve());
    }

    static final class Valve extends ValveBase {
        Valve() {
            super(true);
        }

        @Override
        public void invoke(Request request, Response response) throws IOException, ServletException {
            if (response.isError() && !response.isCommitted()) {
                if (readOnlyFirstLineWhilePaused(request)) {
                    response.setHeader("Retry-After", NotReadyFilter.RETRY_AFTER);
                    FilterProblems.write(request, response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "Service Unavailable",
                            NotReadyFilter.DETAIL);
                    return;
                }
                // refused by Tomcat itself before any application code (a path it cannot decode, say): the same kind of
                // answer as every other error, not Tomcat's HTML page
                HttpStatus status = HttpStatus.resolve(response.getStatus());
                if (status != null && status.isError()) {
                    // sendError suspended the output (for the error page that would follow): take it back
                    response.setSuspended(false);
                    FilterProblems.write(request, response, status.value(), status.getReasonPhrase(),
                            "The web server refused the request before Hookpost read it (a path or header it cannot"
                                    + " read, for one); nothing was done.");
                    return;
                }
            }
            getNext().invoke(request, response);
        }

        private static boolean readOnlyFirstLineWhilePaused(Request request) {
            return request.getCoyoteRequest().getMimeHeaders().size() == 0
                    && request.getConnector().getProtocolHandler() instanceof AbstractProtocol<?> protocol
                    && protocol.isPaused();
        }
    }
}

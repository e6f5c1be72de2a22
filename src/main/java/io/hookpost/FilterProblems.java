package io.hookpost;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * A problem document (RFC 9457) written by a servlet filter, in front of Camel, where the routes' problem responder
 * cannot answer: the request never reaches a route. Built as a string: titles and details are Hookpost's own texts,
 * with no client input in them, and a double quote is the only character they could need escaped; the
 * {@code instance}, the path as the client sent it, is escaped as JSON.
 */
public final class FilterProblems {
    private FilterProblems() {
    }

    public static void write(HttpServletRequest request, HttpServletResponse response, int status, String title,
            String detail) throws IOException {
        String path = request.getRequestURI(); // none when Tomcat could not read the request line
        String instance = path == null || path.isEmpty() ? ""
                : ",\"instance\":\"" + new String(JsonStringEncoder.getInstance().quoteAsString(path)) + "\"";
        byte[] body = ("{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":" + status
                + ",\"detail\":\"" + detail.replace("\"", "'") + "\"" + instance + "}").getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("application/problem+json");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}

package io.hookpost;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.http.HttpServletResponse;

/**
 * A problem document (RFC 9457) written by a servlet filter, in front of Camel, where the routes' problem responder
 * cannot answer: the request never reaches a route. Built as a string: titles and details are Hookpost's own texts,
 * with no client input in them, and a double quote is the only character they could need escaped.
 */
public final class FilterProblems {
    private FilterProblems() {
    }

    public static void write(HttpServletResponse response, int status, String title, String detail) throws IOException {
        byte[] body = ("{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":" + status
                + ",\"detail\":\"" + detail.replace("\"", "'") + "\"}").getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("application/problem+json");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}

package io.hookpost;

import jakarta.servlet.http.HttpServletRequest;

/**
 * The path a request is served by, for the servlet filters that guard a part of Hookpost (/api/, /inbound/,
 * /portal): decoded and without {@code ;parameters}, as the web server maps it. The raw request URI is not that
 * path: {@code /%61pi/v1/…} and {@code /api;x=1/v1/…} reach the API too, and a filter that looked at the raw form
 * let them past its checks.
 */
public final class RequestPaths {
    private RequestPaths() {
    }

    public static String of(HttpServletRequest request) {
        String pathInfo = request.getPathInfo();
        return request.getServletPath() + (pathInfo == null ? "" : pathInfo);
    }
}

package io.hookpost.api;

import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

/**
 * The request as Camel is to see it, without the headers named as one of the API's query or path parameters (see
 * {@link ApiRequestFilter}): Camel puts headers and parameters under one name, so such a header stood in for the
 * parameter. A request without such a header is passed on as it is.
 */
final class ParameterHeadersHidden extends HttpServletRequestWrapper {
    private final Set<String> hidden;

    private ParameterHeadersHidden(HttpServletRequest request, Set<String> hidden) {
        super(request);
        this.hidden = hidden;
    }

    /** {@code request}, or a view of it without the headers {@code hidden} names (a set that ignores case). */
    static HttpServletRequest of(HttpServletRequest request, Set<String> hidden) {
        Enumeration<String> names = request.getHeaderNames();
        while (names != null && names.hasMoreElements()) {
            if (hidden.contains(names.nextElement())) {
                return new ParameterHeadersHidden(request, hidden);
            }
        }
        return request;
    }

    @Override
    public String getHeader(String name) {
        return hidden.contains(name) ? null : super.getHeader(name);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
        return hidden.contains(name) ? Collections.emptyEnumeration() : super.getHeaders(name);
    }

    @Override
    public Enumeration<String> getHeaderNames() {
        List<String> names = Collections.list(super.getHeaderNames());
        names.removeIf(hidden::contains);
        return Collections.enumeration(names);
    }

    @Override
    public long getDateHeader(String name) {
        return hidden.contains(name) ? -1 : super.getDateHeader(name);
    }

    @Override
    public int getIntHeader(String name) {
        return hidden.contains(name) ? -1 : super.getIntHeader(name);
    }
}

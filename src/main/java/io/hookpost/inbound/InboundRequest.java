package io.hookpost.inbound;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One provider callback exactly as it arrived, before anything parsed it.
 *
 * @param method      the HTTP method, e.g. {@code POST}
 * @param url         the full URL as the provider called it, with its query string: the public scheme, host and
 *                    port the provider was given (behind a proxy, not the one the server socket saw), since Twilio
 *                    signs it
 * @param headers     the request headers; looked up without regard to case
 * @param body        the raw body bytes as received (not copied: do not change them afterwards)
 * @param contentType the {@code Content-Type}; taken from the headers when null
 */
public record InboundRequest(String method, String url, Map<String, List<String>> headers, byte[] body,
                             String contentType) {

    public InboundRequest {
        method = method == null ? "" : method;
        url = url == null ? "" : url;
        headers = caseInsensitive(headers);
        body = body == null ? new byte[0] : body;
        if (contentType == null) {
            List<String> values = headers.get("Content-Type");
            contentType = values == null || values.isEmpty() ? null : values.get(0);
        }
    }

    /** The first value of a header, if present. */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() || values.get(0) == null ? Optional.empty()
                : Optional.of(values.get(0));
    }

    /** Whether the content type is this media type, whatever its parameters ({@code ; charset=…}). */
    public boolean hasMediaType(String mediaType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
        return type.toLowerCase(Locale.ROOT).equals(mediaType.toLowerCase(Locale.ROOT));
    }

    /** The raw query string (between {@code ?} and {@code #}), or "" when there is none. */
    public String rawQuery() {
        int question = url.indexOf('?');
        if (question < 0) {
            return "";
        }
        int hash = url.indexOf('#', question);
        return hash < 0 ? url.substring(question + 1) : url.substring(question + 1, hash);
    }

    /** Method, path and body size only: the query and headers may carry tokens and credentials. */
    @Override
    public String toString() {
        int question = url.indexOf('?');
        return "InboundRequest[" + method + " " + (question < 0 ? url : url.substring(0, question)) + ", "
                + body.length + " bytes, " + contentType + "]";
    }

    private static Map<String, List<String>> caseInsensitive(Map<String, List<String>> headers) {
        Map<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (headers != null) {
            // two spellings of one name (Foo, foo) are one header: keep both values, in order
            headers.forEach((name, values) -> {
                if (name != null && values != null) {
                    copy.computeIfAbsent(name, n -> new ArrayList<>()).addAll(values);
                }
            });
        }
        copy.replaceAll((name, values) -> Collections.unmodifiableList(values));
        return Collections.unmodifiableMap(copy);
    }
}

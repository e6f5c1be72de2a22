package io.hookpost.inbound;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.hookpost.Utf8;

/**
 * Parses {@code application/x-www-form-urlencoded} text (a form body or a query string) ourselves, from the raw
 * bytes, so the values are exactly the ones the provider signed. Strict: a bad {@code %} escape or bytes that
 * are not UTF-8 throw {@link IllegalArgumentException} (the caller refuses), rather than being replaced with
 * U+FFFD as {@link java.net.URLDecoder} would, which could make two different bodies read the same.
 */
final class FormUrlEncoded {

    private FormUrlEncoded() {
    }

    /** Names in the order first seen, each with its values in order. */
    static Map<String, List<String>> parse(byte[] body) {
        return parse(utf8(body));
    }

    static Map<String, List<String>> parse(String encoded) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        if (encoded.isEmpty()) {
            return params;
        }
        for (String pair : encoded.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = decode(equals < 0 ? pair : pair.substring(0, equals));
            String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
            params.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
        }
        return params;
    }

    /** The first value of a name, or null. */
    static String first(Map<String, List<String>> params, String name) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static String decode(String component) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(component.length());
        int i = 0;
        while (i < component.length()) {
            char c = component.charAt(i);
            if (c == '+') {
                bytes.write(' ');
                i++;
            } else if (c == '%') {
                int high = i + 2 < component.length() ? Character.digit(component.charAt(i + 1), 16) : -1;
                int low = i + 2 < component.length() ? Character.digit(component.charAt(i + 2), 16) : -1;
                if (high < 0 || low < 0) {
                    throw new IllegalArgumentException("bad % escape");
                }
                bytes.write(high << 4 | low);
                i += 3;
            } else {
                // a run of literal characters, non-ASCII ones included: their UTF-8 bytes
                int end = i;
                while (end < component.length() && component.charAt(end) != '%' && component.charAt(end) != '+') {
                    end++;
                }
                bytes.writeBytes(component.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end;
            }
        }
        return utf8(bytes.toByteArray());
    }

    static String utf8(byte[] bytes) {
        String text = Utf8.textOrNull(bytes);
        if (text == null) {
            throw new IllegalArgumentException("not UTF-8");
        }
        return text;
    }
}

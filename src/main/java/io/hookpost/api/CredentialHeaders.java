package io.hookpost.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.springframework.stereotype.Component;

/**
 * Step {@code hide-credentials}: a read-only portal session is not shown the values of the headers that carry a
 * receiver's credentials ({@code Authorization: Bearer …}, {@code X-Api-Key}, a cookie, a token), neither in an
 * endpoint's custom headers nor in the headers its attempts sent (nor a receiver's {@code Set-Cookie} in their
 * answers), nor such query parameters' values and a password in its URL: such a session looks, and is not shown the
 * signing secret either. Svix redacts such header values ("sensitive") for every caller; here the keys that manage
 * endpoints still see them, as the portal's form writes the headers back whole.
 */
@Component("credentialHeaders")
public class CredentialHeaders {
    /** What is shown instead of a value. */
    public static final String HIDDEN = "[hidden]";
    /** Names that carry credentials, in any case: the standard ones, and custom ones naming a key, token or secret. */
    private static final Pattern CREDENTIAL = Pattern.compile(
            "(?i)(.*auth.*|.*cookie.*|.*token.*|.*secret.*|.*key.*|.*password.*|.*credential.*|.*session.*)");
    /** {@code scheme://user:password@}: the password. */
    private static final Pattern USER_PASSWORD = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*://[^/?#@:]*:)[^/?#@]*@");

    static boolean carriesCredentials(String name) {
        return CREDENTIAL.matcher(name).matches();
    }

    /**
     * The URL with the values of its query parameters that carry credentials ({@code ?token=…}) and the password of its
     * user information hidden; the rest as it is.
     */
    static String hideInUrl(String url) {
        String shown = USER_PASSWORD.matcher(url).replaceFirst("$1" + HIDDEN + "@");
        int query = shown.indexOf('?');
        if (query < 0) {
            return shown;
        }
        int fragment = shown.indexOf('#', query);
        String end = fragment < 0 ? "" : shown.substring(fragment);
        StringBuilder hidden = new StringBuilder(shown.substring(0, query + 1));
        String[] parameters = shown.substring(query + 1, fragment < 0 ? shown.length() : fragment).split("&", -1);
        for (int i = 0; i < parameters.length; i++) {
            int equals = parameters[i].indexOf('=');
            String name = equals < 0 ? parameters[i] : parameters[i].substring(0, equals);
            hidden.append(i == 0 ? "" : "&").append(equals >= 0 && carriesCredentials(name)
                    ? name + "=" + HIDDEN : parameters[i]);
        }
        return hidden.append(end).toString();
    }

    /** The answer (an endpoint, a list of them, a page of attempts), its credentials hidden for a read-only session. */
    public Object hideFromReadOnly(@Body Object answer, @ExchangeProperty(Principal.PROPERTY) Principal principal) {
        if (principal == null || principal.scope() != Principal.Scope.PORTAL_READ_ONLY) {
            return answer;
        }
        if (answer instanceof List<?> items) {
            items.forEach(this::hide);
        } else if (answer instanceof Map<?, ?> map && map.get("data") instanceof List<?> page) {
            page.forEach(this::hide);
        } else {
            hide(answer);
        }
        return answer;
    }

    @SuppressWarnings("unchecked")
    private void hide(Object item) {
        if (!(item instanceof Map<?, ?>)) {
            return;
        }
        Map<String, Object> view = (Map<String, Object>) item;
        if (view.get("headers") instanceof Map<?, ?> custom) {
            Map<String, Object> shown = new LinkedHashMap<>();
            custom.forEach((name, value) -> shown.put((String) name,
                    carriesCredentials((String) name) ? HIDDEN : value));
            view.put("headers", shown);
        }
        if (view.get("url") instanceof String url) {
            view.put("url", hideInUrl(url));
        }
        for (String recorded : List.of("requestHeaders", "responseHeaders")) {
            if (view.get(recorded) instanceof ObjectNode headers) {
                List<String> names = new ArrayList<>();
                headers.fieldNames().forEachRemaining(names::add);
                names.stream().filter(CredentialHeaders::carriesCredentials).forEach(name -> headers.put(name, HIDDEN));
            }
        }
    }
}

package io.hookpost.outbound;

import java.util.Arrays;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An endpoint's OAuth 2.0 client (RFC 6749 §4.4, the client credentials grant): Hookpost asks {@code tokenUrl} for
 * an access token and sends it to the receiver as {@code Authorization: Bearer …}. Stored as this record's JSON.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OAuthClient(String tokenUrl, String clientId, String clientSecret, String scope, String audience,
                          String clientAuthentication) {
    /** How the client authenticates to the token endpoint (RFC 6749 §2.3.1). */
    public enum Authentication {
        /** HTTP Basic with the form-encoded id and secret: what every server must take. */
        BASIC("basic"),
        /** client_id and client_secret in the form body, for servers that take only that. */
        BODY("body");

        private final String apiName;

        Authentication(String apiName) {
            this.apiName = apiName;
        }

        public String apiName() {
            return apiName;
        }

        public static Optional<Authentication> fromApiName(String name) {
            return name == null ? Optional.of(BASIC)
                    : Arrays.stream(values()).filter(a -> a.apiName.equals(name)).findFirst();
        }
    }

    public Authentication authentication() {
        return Authentication.fromApiName(clientAuthentication).orElse(Authentication.BASIC);
    }
}

package io.hookpost.inbound;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The providers whose callbacks Hookpost receives, each with the credentials its verification needs. The API
 * name is also the first path segment of the connection's inbound URL: {@code /inbound/<name>/<connection id>}.
 */
public enum Provider {
    /** SendGrid Event Webhook (delivery statuses), ECDSA-signed. */
    SENDGRID("sendgrid", List.of("publicKey"), List.of()),
    /** SendGrid Inbound Parse (inbound email, multipart), ECDSA-signed or behind basic auth. */
    SENDGRID_INBOUND_PARSE("sendgrid-inbound-parse", List.of(), List.of("publicKey", "username", "password")),
    /** Twilio status callbacks and incoming messages. */
    TWILIO("twilio", List.of("authToken"), List.of()),
    /** Meta / WhatsApp Cloud API. */
    META("meta", List.of("appSecret", "verifyToken"), List.of()),
    MAILGUN("mailgun", List.of("signingKey"), List.of()),
    POSTMARK("postmark", List.of("username", "password"), List.of()),
    /** Hookpost's own email-delivery-status callbacks (delivery, bounce, open, failure). */
    EMAIL_STATUS("email-status", List.of(), List.of("secret")),
    /** Hookpost's own inbound-email callbacks. */
    INBOUND_EMAIL("inbound-email", List.of(), List.of("secret"));

    private final String apiName;
    private final List<String> required;
    private final List<String> optional;

    Provider(String apiName, List<String> required, List<String> optional) {
        this.apiName = apiName;
        this.required = required;
        this.optional = optional;
    }

    public String apiName() {
        return apiName;
    }

    public List<String> requiredCredentials() {
        return required;
    }

    public List<String> optionalCredentials() {
        return optional;
    }

    /** Hookpost's own schemes sign with a secret Hookpost can generate. */
    public boolean ownScheme() {
        return this == EMAIL_STATUS || this == INBOUND_EMAIL;
    }

    public static Optional<Provider> fromApiName(String name) {
        return Arrays.stream(values()).filter(p -> p.apiName.equals(name)).findFirst();
    }

    public static String names() {
        return String.join(", ", Arrays.stream(values()).map(Provider::apiName).toList());
    }
}
